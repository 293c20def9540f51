"""Identity-proofing steps, as a small provider interface.

A district's proofing is a list of steps, each a provider. The built-in ones:

- ``mailbox``: possession of the invited mailbox (opening the single-use link);
- ``record_check``: the applicant confirms facts from their Campus record;
- ``second_factor``: what only the person has, decided when the record check passes
  (``staff.services.second_factor``): a one-time code from a second channel, HR
  supervision, or nothing, as the district's setting says;
- ``supervised``: an HR operator records that they inspected an identity document.

A document-and-selfie service plugs in later as another provider: ``start`` returns the
URL to send the applicant to, and the service's callback calls ``staff.services.proofing`` to
record the outcome, exactly as the built-in supervised step does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from staff.models import SECOND_FACTOR_CODE, SECOND_FACTOR_SUPERVISED

# The timeline event of a waived record check (``proofing_waive_for_operator``).
PROOFING_WAIVED = "proofing_waived"


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
        if done and proofing_waived(case):
            detail = "waived: the server's operator vouched for this person at set-up"
        return StepStatus(self.name, self.label, done, detail)

    def start(self, case):
        from django.urls import reverse

        return reverse("staff:record_check")


class SecondFactor:
    name, label = "second_factor", "Something only the person has"

    def status(self, case) -> StepStatus:
        if not case.second_factor:
            return StepStatus(self.name, self.label, False, "decided when the record check passes")
        if case.second_factor == SECOND_FACTOR_CODE:
            done = case.code_checked_at is not None
            detail = f"one-time code to their {case.second_channel} {case.second_channel_masked}"
            if case.code_sent_at:
                detail += f", sent {_when(case.code_sent_at)}"
            if done:
                detail += f", confirmed {_when(case.code_checked_at)}"
            if case.code_attempts:
                detail += f" ({case.code_attempts} wrong)"
            return StepStatus(self.name, self.label, done, detail)
        if case.second_factor == SECOND_FACTOR_SUPERVISED:
            detail = "HR-supervised confirmation"
            if not case.second_channel:
                detail += " (no second channel in Campus, or the district's setting)"
            return StepStatus(self.name, self.label, case.supervised_checked_at is not None, detail)
        if proofing_waived(case):
            return StepStatus(self.name, self.label, True, "waived with the record check")
        return StepStatus(self.name, self.label, True, "none: the district checks the record only")

    def start(self, case):
        from django.urls import reverse

        return reverse("staff:proofing_code")


def proofing_waived(case) -> bool:
    """Whether the record check and second step were waived for the server's operator
    (``staff.services.proofing.proofing_waive_for_operator``: on the timeline)."""
    return case.events.filter(event=PROOFING_WAIVED).exists()


def _when(moment) -> str:
    from idbridge.core.times import local_time

    return local_time(moment)


class SupervisedDocument:
    name, label = "supervised", "Identity document inspected by HR"

    def status(self, case) -> StepStatus:
        done = case.supervised_checked_at is not None
        detail = f"by {case.supervised_checked_by}" if done else "waiting for HR"
        return StepStatus(self.name, self.label, done, detail)

    def start(self, case):
        return None


def steps_for(case) -> list[ProofingProvider]:
    steps: list[ProofingProvider] = [MailboxPossession(), RecordCheck(), SecondFactor()]
    if case.requires_supervised_proofing:
        steps.append(SupervisedDocument())
    return steps


def proofing_status(case) -> list[StepStatus]:
    return [step.status(case) for step in steps_for(case)]
