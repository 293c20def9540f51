"""The Business Office console's records: the BOI connection and its mapping tables, HR
imports and their rows, sync runs, the error log and alerts.

SSNs are never stored in clear: an HR row keeps its SSN in an EncryptedTextField and the
rest of its staff payload as JSON without it; error-log payloads are masked before they
are saved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from boi.error_log_models import ErrorLogEntry, ErrorLogStaff  # noqa: F401 (the app's models)
from idbridge.fields import EncryptedTextField
from idbridge.jobs.models import Job


class BoiConnection(models.Model):
    """How idbridge reaches one Campus's BOI API (Campus: Business Office API Credentials)."""

    class Status(models.TextChoices):
        NEW = "new", "Not tested yet"
        OK = "ok", "Connected"
        REJECTED = "rejected", "Credentials rejected"
        ERROR = "error", "Error"

    name = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    client_secret = EncryptedTextField()
    token_url = models.URLField(max_length=500, help_text="OAuth2 token URL, with ?appName=…")
    base_url = models.URLField(
        max_length=500, help_text="BOI API base URL, e.g. https://campus.example/…/api/boi/v1/"
    )
    scope = models.CharField(
        max_length=200, blank=True, help_text="OAuth2 scope to ask for (blank: the client's)."
    )
    household_allowed = models.BooleanField(
        default=True,
        help_text="Campus preference “Allow household and address creations/updates from "
        "the HR system”: when off, addresses are not sent.",
    )
    request_timeout_seconds = models.PositiveSmallIntegerField(default=30)
    # The BOI API searches staff only; pre-flight searches every person (students, parents)
    # over this Campus's OneRoster users (boi.services.person_search).
    people_connection = models.ForeignKey(
        "staff.CampusConnection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "rest"},
        verbose_name="Campus people search (OneRoster connection)",
        help_text="Pre-flight looks here for students, parents and guardians with a new "
        "hire's name and birth date.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Campus's lists (GET schools | genders | assignmentCodes | titleCodes), as last fetched:
    # {"schools": [{"code": "010", "name": "…"}], "genders": [...], ...}
    campus_lists = models.JSONField(default=dict, blank=True)
    campus_lists_fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    def campus_codes(self, kind: str) -> set[str]:
        return {str(item.get("code")) for item in self.campus_lists.get(kind) or []}


class MappingValue(models.Model):
    """One HR value mapped to Campus: location → school, sex → gender, job → codes."""

    class Kind(models.TextChoices):
        LOCATION = "location", "HR location → school number"
        SEX = "sex", "HR sex code → gender"
        JOB = "job", "HR job code → assignment code / title code"

    # Kind → (the Campus list its value is on, what that value is called).
    CAMPUS_LIST = {
        "location": ("schools", "school number"),
        "sex": ("genders", "gender"),
        "job": ("assignmentCodes", "assignment code"),
    }

    connection = models.ForeignKey(BoiConnection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    hr_value = models.CharField(max_length=100)
    campus_value = models.CharField(
        max_length=100, blank=True, help_text="School number, gender or assignment code"
    )
    title_code = models.CharField(max_length=100, blank=True, help_text="Jobs only")
    title_description = models.CharField(max_length=200, blank=True, help_text="Jobs only")

    class Meta:
        ordering = ["kind", "hr_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind", "hr_value"], name="boi_mapping_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.hr_value} → {self.campus_value or ''}/{self.title_code or ''}"


class MappingProfile(models.Model):
    """A named column mapping and code mappings for one HR system's exports, picked at upload."""

    connection = models.ForeignKey(BoiConnection, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    column_map = models.JSONField(default=dict, blank=True)  # file column → template column
    code_mappings = models.JSONField(default=list, blank=True)  # [{kind, hr_value, ...}]
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "name"], name="boi_profile_unique")
        ]

    def __str__(self):
        return self.name


class HrImport(models.Model):
    """One uploaded HR export and what became of it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for the column mapping"
        QUEUED = "queued", "Queued for checking"
        CHECKING = "checking", "Checking rows"
        CHECKED = "checked", "Checked"
        FAILED = "failed", "Unreadable"

    connection = models.ForeignKey(BoiConnection, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)  # csv | xlsx | json
    encoding = models.CharField(max_length=20, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, blank=True)  # encrypted file in VAR_DIR
    headers = models.JSONField(default=list, blank=True)
    column_map = models.JSONField(default=dict, blank=True)  # file column → template column

    class Layout(models.TextChoices):
        # How the rows are laid out (boi.hrfile.layout): the operator's choice.
        DETECT = "detect", "Find out from the rows"
        PER_POSITION = "per_position", "One row per position or job (the person repeated)"
        PER_STAFF = "per_staff", "One row per staff member (numbered columns)"

    layout = models.CharField(max_length=12, choices=Layout.choices, default=Layout.DETECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    problem = models.TextField(blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error_row_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)
    unmapped = models.JSONField(default=dict, blank=True)  # {"location": {"X": uses, ...}, ...}
    # The row check's job (its state, claim and progress: idbridge.jobs).
    check_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Address pre-flight and check-before-sync, run on demand (see services.preflight); its
    # job keeps how it is going, the import what it found.
    preflight_status = models.CharField(
        max_length=10, blank=True
    )  # queued|running|done|failed|cancelled
    preflight_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preflight_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def good_row_count(self) -> int:
        return self.row_count - self.error_row_count

    @property
    def is_checked(self) -> bool:
        return self.status == self.Status.CHECKED

    @property
    def is_checking(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING)

    @property
    def blocking_error_count(self) -> int:
        """Rows with errors the operator has not excluded yet: they block a sync."""
        return self.rows.filter(has_errors=True, is_excluded=False).count()


class HrRow(models.Model):
    """One staff member of an HR import, as the BOI payload it becomes.

    ``payload`` is the staff object without its SSN (kept encrypted in ``ssn``);
    ``address_key`` / ``address_components`` / ``address_spelling`` are its household
    address's match key, normalized components and street line, computed by the check;
    ``errors`` are ``{"column", "field", "code", "message"}`` dicts, one per problem.
    """

    hr_import = models.ForeignKey(HrImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="Line in the CSV / record in the JSON")
    staff_number = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    birth_date = models.CharField(max_length=10, blank=True)
    payload = models.JSONField(default=dict)
    ssn = EncryptedTextField(visible_tail=4)
    # The address as the check normalized it (boi.rules), stored so that pre-flight, the
    # transfer and the row page read it instead of parsing the address again.
    address_key = models.CharField(max_length=200, blank=True)
    address_components = models.JSONField(null=True, blank=True)  # None: no valid address
    address_spelling = models.TextField(blank=True)  # the street line as HR wrote it
    errors = models.JSONField(default=list, blank=True)
    has_errors = models.BooleanField(default=False)
    is_excluded = models.BooleanField(default=False)

    class Meta:
        ordering = ["row_number"]
        indexes = [
            models.Index(fields=["hr_import", "staff_number"], name="boi_row_staff_idx"),
            models.Index(fields=["hr_import", "has_errors"], name="boi_row_errors_idx"),
            models.Index(fields=["hr_import", "address_key"], name="boi_row_address_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["hr_import", "row_number"], name="boi_row_unique")
        ]

    def __str__(self):
        return f"row {self.row_number} ({self.staff_number})"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def staff_payload(self) -> dict:
        """The BOI staff object, SSN included: only for sending to Campus."""
        payload = dict(self.payload)
        if self.ssn:
            payload["ssn"] = self.ssn.reveal()
        return payload


class AddressCheck(models.Model):
    """Address pre-flight: one distinct HR address (by match key) and what Campus has."""

    hr_import = models.ForeignKey(HrImport, on_delete=models.CASCADE, related_name="addresses")
    key = models.CharField(max_length=200)
    components = models.JSONField(default=dict)  # normalized with boi.rules
    spellings = models.JSONField(default=list)  # up to a few HR spellings of it
    row_count = models.PositiveIntegerField(default=0)
    campus_address = models.JSONField(null=True, blank=True)  # Campus's components if found
    checked = models.BooleanField(default=False)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["hr_import", "key"], name="boi_address_unique")
        ]

    def __str__(self):
        return self.key


class StaffCheck(models.Model):
    """Check before sync: an HR staff number compared with Campus."""

    class Outcome(models.TextChoices):
        FOUND = "found", "In Campus"
        MISSING = "missing", "Not in Campus (will be added)"
        LIKELY_DUPLICATE = "duplicate", "Likely duplicate under another number"

    hr_import = models.ForeignKey(HrImport, on_delete=models.CASCADE, related_name="staff_checks")
    row = models.ForeignKey(HrRow, on_delete=models.CASCADE, related_name="+")
    staff_number = models.CharField(max_length=50)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    campus_matches = models.JSONField(default=list, blank=True)  # [{"staffNumber", "name"...}]

    class Meta:
        ordering = ["outcome", "staff_number"]

    def __str__(self):
        return f"{self.staff_number}: {self.outcome}"


class SyncRun(models.Model):
    """One synchronization: start → transfer → end transfer → validate → commit → results.

    ``state`` follows Campus's session (``boi.rules.sync.SyncState``); ``step_job`` is the
    long job (``idbridge.jobs``) doing a step (``step``), with its progress; ``job`` is
    the wizard's view of its state.
    """

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        TRANSFERRING = "transferring", "Transferring"
        TRANSFER_ENDED = "transfer_ended", "Transfer ended"
        VALIDATED = "validated", "Validated"
        COMMITTED = "committed", "Committed"

    class Job(models.TextChoices):
        IDLE = "idle", "Idle"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(BoiConnection, on_delete=models.PROTECT, related_name="runs")
    hr_import = models.ForeignKey(HrImport, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOT_STARTED)
    step = models.CharField(max_length=20, blank=True)  # the step the job is doing / last did
    job = models.CharField(max_length=10, choices=Job.choices, default=Job.IDLE)
    # The step's long job (claim, heartbeat, failure, Retry: idbridge.jobs); ``job`` above
    # mirrors its state for the wizard.
    step_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sync_id = models.CharField(max_length=100, blank=True)
    hr_fingerprint = models.CharField(max_length=64, blank=True)  # the rows transferred
    staff_count = models.PositiveIntegerField(default=0)
    transferred_upto = models.PositiveIntegerField(default=0)  # last HrRow.row_number sent
    report_summary = models.JSONField(default=dict, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    commit_mode = models.CharField(max_length=10, blank=True)  # commit | commitJob
    campus_job_id = models.CharField(max_length=100, blank=True)
    campus_job_status = models.JSONField(default=dict, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_requested_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    succeeded_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    stage_seconds = models.JSONField(default=dict, blank=True)  # step → seconds
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"sync {self.pk} ({self.get_state_display()})"

    @property
    def is_busy(self) -> bool:
        return self.job in (self.Job.QUEUED, self.Job.RUNNING)

    def _step_counts(self) -> tuple[int, int | None]:
        from idbridge.jobs.models import Job as LongJob

        counts = LongJob.objects.filter(id=self.step_job_id).values_list("done", "total")
        return counts.first() or (0, None)

    @property
    def progress_done(self) -> int:
        """The current step's progress, as its job counts it."""
        return self._step_counts()[0]

    @property
    def progress_total(self) -> int | None:
        return self._step_counts()[1]


class SyncStaff(models.Model):
    """One transferred staff member of a run: its validate-report entry and its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused at transfer"

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="staff")
    row = models.ForeignKey(HrRow, null=True, on_delete=models.SET_NULL, related_name="+")
    staff_number = models.CharField(max_length=50)
    name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, blank=True)  # add|update|unchanged|error
    has_conflict = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["staff_number"]
        indexes = [
            models.Index(fields=["run", "staff_number"], name="boi_syncstaff_number_idx"),
            models.Index(fields=["run", "action"], name="boi_syncstaff_action_idx"),
            models.Index(fields=["run", "outcome"], name="boi_syncstaff_outcome_idx"),
        ]

    def __str__(self):
        return f"{self.staff_number} in {self.run_id}"


class Alert(models.Model):
    """A dashboard alert for HR operators (also emailed): a sync committed or failed."""

    class Level(models.TextChoices):
        INFO = "info", "Info"
        SUCCESS = "success", "Success"
        ERROR = "error", "Error"

    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.CASCADE)
    level = models.CharField(max_length=10, choices=Level.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(dismissed_at__isnull=True), name="boi_alert_open"
            )
        ]

    def __str__(self):
        return self.title
