import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from idbridge.fields import EncryptedTextField
from idbridge.search import SearchedByWords, SearchWord, search_words_write
from staff.transitions import OPEN, State

# How the applicant proved what only they have, beyond the record check (``second_factor``).
SECOND_FACTOR_CODE = "code"
SECOND_FACTOR_SUPERVISED = "supervised"
SECOND_FACTOR_NONE = "none"


def new_user_handle() -> str:
    return secrets.token_urlsafe(32)


class CampusConnection(models.Model):
    """How idbridge reaches one Campus: legacy SOAP or Cloud REST (OneRoster)."""

    class Kind(models.TextChoices):
        REST = "rest", "Cloud REST (OAuth2 + OneRoster 1.2)"
        SOAP = "soap", "Legacy SOAP Identity Service"

    class Status(models.TextChoices):
        NEW = "new", "Not polled yet"
        OK = "ok", "OK"
        ERROR = "error", "Error"
        HELD = "held", "Held for an administrator"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REST)
    enabled = models.BooleanField(default=True)
    # REST
    token_url = models.URLField(blank=True, help_text="OAuth2 token URL, with ?appName=…")
    rostering_base_url = models.URLField(
        blank=True, help_text="OneRoster 1.2 rostering base URL, ending in /rostering/v1p2/"
    )
    client_id = models.CharField(max_length=200, blank=True)
    client_secret = EncryptedTextField()
    staff_number_field = models.CharField(
        max_length=100,
        default="identifier",
        help_text='Where the staff number is: "identifier" or "userIds:<type>".',
    )
    person_id_field = models.CharField(
        max_length=100,
        default="userIds:personID",
        help_text='Where the Campus person ID is: "userIds:<type>", "metadata:<key>" or a '
        'user field such as "sourcedId" (one case per person across connections).',
    )
    page_size = models.PositiveIntegerField(default=1000, help_text="OneRoster page size (limit)")
    # Campus requests in flight at once, REST (demographics) and SOAP (GetPerson) alike.
    max_concurrency = models.PositiveSmallIntegerField(default=2)
    overlap_seconds = models.PositiveIntegerField(default=300)
    full_reconcile_hours = models.PositiveIntegerField(default=24)
    shrink_hold_percent = models.PositiveSmallIntegerField(
        default=20, help_text="Hold a full pull that finds this many percent fewer staff."
    )
    # SOAP
    wsdl_url = models.URLField(blank=True)
    soap_username = models.CharField(max_length=200, blank=True)
    soap_password = EncryptedTextField()
    miss_run_limit = models.PositiveIntegerField(
        default=50, help_text="Stop walking person IDs after this many misses in a row."
    )
    request_timeout_seconds = models.PositiveSmallIntegerField(
        default=15, help_text="Give up on one Campus request after this many seconds."
    )
    # Schedule and state
    poll_interval_seconds = models.PositiveIntegerField(default=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_full_staff_count = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    # The latest poll (or full reconciliation): its claim, heartbeat and progress.
    poll_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_poll_counts = models.JSONField(default=dict, blank=True)
    # Campus's name for each school its staff are at, by the key ``StaffMember.schools``
    # holds (``staff.campus_names``): recorded by discovery, read by pages naming a school.
    school_names = models.JSONField(default=dict, blank=True)
    # The first successful poll records the staff Campus already has as existing (nobody
    # is invited); only staff who appear after it are invited automatically.
    baseline_at = models.DateTimeField(null=True, blank=True)
    baseline_count = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return self.name

    @property
    def is_polling(self) -> bool:
        """A poll is queued or running on a live worker."""
        from idbridge.jobs.services import job_is_stale

        job = self.poll_job
        return job is not None and job.is_busy and not job_is_stale(job)


def staff_search_text(first, last, work_email, personal_email) -> str:
    """What the onboarding list's search reads (a staff number matches whole, on its own).

    >>> staff_search_text("Andrea", "Nowak", "A.Nowak@D.example", "")
    'andrea nowak\\nnowak andrea\\na.nowak@d.example\\n'
    """
    return f"{first} {last}\n{last} {first}\n{work_email}\n{personal_email}".lower()[:1000]


def display_name(first_name: str, last_name: str) -> str:
    """How a staff member is named on every page (also for a list's plain rows)."""
    return f"{first_name} {last_name}".strip()


def invitation_email(work_email: str, personal_email: str) -> str:
    """Where a staff member's invitation goes: the work address, else the personal one."""
    return work_email or personal_email


class StaffMember(SearchedByWords, models.Model):
    """A person of the district's Campus who is (or was) staff: one per Campus person ID,
    however many connections see them (``StaffSource``). Their details are those their
    primary ``connection`` last reported."""

    # The primary connection (the first to find the person, or the one that still sees
    # them when it stops): its record is shown, the record check's data come from it.
    connection = models.ForeignKey(CampusConnection, on_delete=models.PROTECT)
    campus_key = models.CharField(
        max_length=100, help_text="The person's key in the primary connection"
    )
    campus_person_id = models.BigIntegerField(null=True, blank=True)
    staff_number = models.CharField(max_length=50, blank=True, db_index=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, db_index=True)
    middle_name = models.CharField(max_length=100, blank=True)
    birth_date = EncryptedTextField(help_text="ISO date; for the applicant's record check")
    # The record check's facts come from Campus outside any web request: with discovery
    # (SOAP brings the birth date) or a task (OneRoster keeps it under demographics).
    # Asked for (a task queued) / fetched (Campus answered, with or without a birth date).
    record_facts_requested_at = models.DateTimeField(null=True, blank=True)
    record_facts_fetched_at = models.DateTimeField(null=True, blank=True)
    work_email = models.EmailField(blank=True)
    personal_email = models.EmailField(blank=True)
    # A mobile number Campus holds (OneRoster ``sms``): a second channel for proofing codes.
    mobile = models.CharField(max_length=30, blank=True)
    # When Campus last changed the personal e-mail or mobile of someone already recorded:
    # a channel changed after their case opened is not trusted for a proofing code (an
    # insider who edits Campus could point it at themselves).
    second_channel_changed_at = models.DateTimeField(null=True, blank=True)
    roles = models.JSONField(default=list, blank=True)
    # The schools of the person's positions: school numbers over SOAP, org sourcedIds over
    # OneRoster (for inviting existing staff school by school).
    schools = models.JSONField(default=list, blank=True)
    is_staff_in_campus = models.BooleanField(default=True)
    campus_modified_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # Every IdP session that began before this instant is over (deprovisioning, re-proof).
    sessions_revoked_at = models.DateTimeField(null=True, blank=True)
    # WebAuthn user handle: random, opaque, never the staff number (it is sent to devices).
    user_handle = models.CharField(max_length=64, unique=True, default=new_user_handle)
    # The dashboard account of a verified staff member granted a dashboard role (ADR 0014):
    # they sign in to it with their passkey; the roles are its groups.
    dashboard_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
    )
    # What the onboarding list's search finds words in (search_text_refresh): its words
    # are kept in StaffSearchWord, which the search reads (the staff number on its own).
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "campus_key"], name="staff_unique_per_connection"
            ),
            models.UniqueConstraint(
                fields=["campus_person_id"],
                condition=models.Q(campus_person_id__isnull=False),
                name="staff_one_per_campus_person",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.staff_number or 'no staff number'})"

    def save(self, *args, **kwargs):
        self.search_text_refresh()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        search_words_write(StaffSearchWord, "staff_member_id", [self], new=adding)

    def search_text_refresh(self) -> None:
        """The name in both orders and the e-mails, lowercased: a search finds someone
        whichever order their name is typed in ("Nowak Andrea")."""
        self.search_text = staff_search_text(
            self.first_name, self.last_name, self.work_email, self.personal_email
        )

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)

    @property
    def invitation_email(self) -> str:
        return invitation_email(self.work_email, self.personal_email)

    @property
    def has_record_facts(self) -> bool:
        """The record check can run: the birth date is here, or Campus said it has none."""
        return bool(self.birth_date) or self.record_facts_fetched_at is not None


class StaffSearchWord(SearchWord):
    """One word of a staff member's search text, read by ranges (``idbridge.search``)."""

    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["word", "staff_member"], name="staff_word"),
            models.Index(fields=["staff_member", "word"], name="staff_word_of_member"),
        ]


class StaffSource(models.Model):
    """A connection that sees a staff member: the person's key there (personID over SOAP,
    sourcedId over OneRoster) and whether it last reported them as staff."""

    connection = models.ForeignKey(CampusConnection, on_delete=models.PROTECT, related_name="+")
    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="sources")
    campus_key = models.CharField(max_length=100)
    is_staff = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "campus_key"], name="staff_source_key_per_connection"
            ),
            models.UniqueConstraint(
                fields=["connection", "staff_member"], name="staff_source_once_per_connection"
            ),
        ]

    def __str__(self):
        return f"{self.campus_key} via connection {self.connection_id}"


class OnboardingCase(models.Model):
    """One per Campus person: their way from discovery to a verified passkey."""

    staff_member = models.OneToOneField(StaffMember, on_delete=models.PROTECT, related_name="case")
    state = models.CharField(
        max_length=20, choices=[(s.value, s.value.title()) for s in State], db_index=True
    )
    # Opened by the connection's baseline (the person already worked there), whatever the
    # state is now: the connection page counts how many of them were invited since.
    from_baseline = models.BooleanField(default=False)
    requires_supervised_proofing = models.BooleanField(default=False)
    record_check_attempts = models.PositiveSmallIntegerField(default=0)
    record_checked_at = models.DateTimeField(null=True, blank=True)
    supervised_checked_at = models.DateTimeField(null=True, blank=True)
    supervised_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the record check added that only the person has (``staff.services.second_factor``),
    # decided when the record check passed: a code to a second channel, HR supervision, or
    # nothing (the district's setting). The evidence: the channel, its address masked, when.
    second_factor = models.CharField(max_length=20, blank=True)
    second_channel = models.CharField(max_length=20, blank=True)
    second_channel_masked = models.CharField(max_length=100, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_checked_at = models.DateTimeField(null=True, blank=True)
    # HMAC of the code the applicant's browser shows HR at the supervised check: HR's
    # approval must carry it (``staff.services.proofing.desk_code_issue``).
    desk_code_hash = models.CharField(max_length=64, blank=True)
    invitations_sent = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The onboarding list is paged by (created_at, id), newest first, over all cases
        # or one state's (idbridge.core.paging).
        indexes = [
            models.Index(fields=["created_at", "id"], name="case_newest_first"),
            models.Index(fields=["state", "created_at", "id"], name="case_state_newest_first"),
        ]

    def __str__(self):
        return f"{self.staff_member} — {self.state}"

    @property
    def is_open(self) -> bool:
        return State(self.state) in OPEN

    @property
    def is_ready_for_passkey(self) -> bool:
        """The applicant's own proofing is done: the record facts confirmed and, when the
        decision asked for one, the code from the second channel. (A supervised check
        by HR may still follow: the case is then enrolled, not verified.)"""
        if self.record_checked_at is None or not self.second_factor:
            return False
        return self.second_factor != SECOND_FACTOR_CODE or self.code_checked_at is not None


class CaseEvent(models.Model):
    """The case's timeline (the audit log holds the same facts, chained)."""

    case = models.ForeignKey(OnboardingCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=200)
    event = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"


class Invitation(models.Model):
    """An emailed link. Only a hash of its secret is stored; it works once, until it expires."""

    case = models.ForeignKey(OnboardingCase, on_delete=models.CASCADE, related_name="invitations")
    secret_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Whether the mail left: "pending" until the mail server took it ("sent") or refused
    # it ("failed"). Who, when and this are all the dashboard keeps of an invitation.
    delivery = models.CharField(max_length=10, default="pending")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at", "used_at"])]

    def __str__(self):
        return f"invitation {self.pk} to {self.sent_to}"

    @property
    def link_state(self) -> str:
        if self.used_at:
            return "opened"
        if self.superseded_at:
            return "replaced by a newer one"
        return "expired" if self.expires_at <= timezone.now() else "waiting"


class Passkey(models.Model):
    """A WebAuthn credential bound to a staff member (resident key, user verification)."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url")
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    aaguid = models.CharField(max_length=64, blank=True)
    transports = models.JSONField(default=list, blank=True)
    is_backed_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} ({self.staff_member})"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class InvitationWave(models.Model):
    """HR inviting existing staff in stages: whom (everyone, one school or one Campus role,
    as they were when the wave was made), how fast, and the job that sends them."""

    school = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=100, blank=True)
    pace_per_hour = models.PositiveIntegerField(null=True, blank=True)  # None: no limit
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0)
    # When the pace lets the next batch go (kept here, so a resumed wave keeps its pace).
    next_send_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"invitation wave {self.pk}"


class WaveMember(models.Model):
    """One person a wave invites. Its outcome is written in the transaction that invites
    them, so a wave run again (resumed, retried, swept) never invites anyone twice."""

    class Outcome(models.TextChoices):
        WAITING = "", "Waiting"
        INVITED = "invited", "Invited"
        SKIPPED = "skipped", "Already invited or gone"
        NOT_SENT = "not_sent", "Not sent"

    wave = models.ForeignKey(InvitationWave, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey(OnboardingCase, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    done_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "case"], name="staff_wave_member_once")
        ]
        indexes = [models.Index(fields=["wave", "outcome", "id"], name="staff_wave_outcome")]

    def __str__(self):
        return f"wave {self.wave_id}: case {self.case_id} ({self.outcome or 'waiting'})"
