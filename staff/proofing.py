"""Identity-proofing steps, as a small provider interface.

A district's proofing is a list of steps, each a provider. The built-in ones:

- ``mailbox``: possession of the invited mailbox (opening the single-use link);
- ``record_check``: the applicant confirms facts from their Campus record;
- ``supervised``: an HR operator records that they inspected an identity document.

A document-and-selfie service plugs in later as another provider: ``start`` returns the
URL to send the applicant to, and the service's callback calls ``staff.services.proofing`` to
record the outcome, exactly as the built-in supervised step does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StepStatus:
    name: str
    label: str
    done: bool
    detail: str = ""


class ProofingProvider(Protocol):
    name: str
    label: str

    def status(self, case) -> StepStatus: ...

    def start(self, case) -> str | None:
        """Where to send the applicant for this step (None: nothing for them to do)."""


class MailboxPossession:
    name, label = "mailbox", "Invited mailbox"

    def status(self, case) -> StepStatus:
        done = case.invitations.filter(used_at__isnull=False).exists()
        return StepStatus(self.name, self.label, done, "invitation link opened" if done else "")

    def start(self, case):
        return None


class RecordCheck:
    name, label = "record_check", "Campus record facts"

    def status(self, case) -> StepStatus:
        done = case.record_checked_at is not None
        detail = "confirmed" if done else f"{case.record_check_attempts} failed attempt(s)"
        return StepStatus(self.name, self.label, done, detail)

    def start(self, case):
        from django.urls import reverse

        return reverse("staff:record_check")


class SupervisedDocument:
    name, label = "supervised", "Identity document inspected by HR"

    def status(self, case) -> StepStatus:
        done = case.supervised_checked_at is not None
        detail = f"by {case.supervised_checked_by}" if done else "waiting for HR"
        return StepStatus(self.name, self.label, done, detail)

    def start(self, case):
        return None


def steps_for(case) -> list[ProofingProvider]:
    steps: list[ProofingProvider] = [MailboxPossession(), RecordCheck()]
    if case.requires_supervised_proofing:
        steps.append(SupervisedDocument())
    return steps


def proofing_status(case) -> list[StepStatus]:
    return [step.status(case) for step in steps_for(case)]
