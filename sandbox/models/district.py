"""The district's data as Infinite Campus keeps it.

Campus terms (see the BOI guide, /work/shared/seeds/002_*.txt):

- A **Person** has an integer ``personID`` (this model's primary key, assigned in
  increasing order) and a Local Staff Number (``staff_number``), the key shared with HR;
  in dirty districts it is blank or duplicated, so it is indexed but not unique.
- Names live in **Identity** rows: a name change end-dates the current identity and
  starts a new one (at most one current identity per person).
- **Employment** holds hire/termination dates; a rehire adds another row.
- A **DistrictAssignment** (a *position*) puts a person at a school with a state
  assignment code and/or a district title code. A person is *staff* only while they have
  one.
- **Household** → **HouseholdMember** (people) and **HouseholdLocation** → **Address**.
  Addresses are shared records (Campus fights address proliferation); ``match_key`` is
  filled in by the BOI address rules.
- Students and parents are persons too (**Student**, **Relationship**), so staff can share
  a household with students.

``Person.date_modified`` is what the APIs expose as ``dateModified`` /
``dateLastModified``: saving a person, or saving or deleting one of their identities,
employments, assignments, student records or relationships through the ORM (``save()``,
``delete()``) bumps it. Bulk ``update()``/``bulk_create()`` do not: code that writes in
bulk sets ``date_modified`` itself (see ``sandbox.services.people.person_touch``).
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from idbridge.fields import EncryptedTextField


class District(models.Model):
    """The district itself: the OneRoster ``district`` org (one row)."""

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2)
    sourced_id = models.CharField(max_length=64, unique=True)
    email_domain = models.CharField(max_length=100)
    date_modified = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class School(models.Model):
    class Kind(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary"
        MIDDLE = "middle", "Middle"
        HIGH = "high", "High"
        OFFICE = "office", "District office"

    number = models.CharField(max_length=10, unique=True, help_text="Campus school number")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sourced_id = models.CharField(max_length=64, unique=True)
    date_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.name}"


class Gender(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=50)

    def __str__(self):
        return f"{self.code} ({self.name})"


class AssignmentCode(models.Model):
    """A state-defined assignment code and the OneRoster role Campus maps it to."""

    class Role(models.TextChoices):
        TEACHER = "teacher"
        AIDE = "aide"
        ADMINISTRATOR = "administrator"
        PRINCIPAL = "principal"
        SITE_ADMINISTRATOR = "siteAdministrator"
        DISTRICT_ADMINISTRATOR = "districtAdministrator"
        SYSTEM_ADMINISTRATOR = "systemAdministrator"
        PROCTOR = "proctor"
        COUNSELOR = "counselor"

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    oneroster_role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class TitleCode(models.Model):
    """A district-defined title (the BOI API creates unknown ones)."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}"


class Person(models.Model):
    id = models.AutoField(primary_key=True, verbose_name="personID")
    staff_number = models.CharField(
        max_length=20, blank=True, db_index=True, help_text="Local Staff Number"
    )
    birth_date = models.DateField(null=True, blank=True)
    gender = models.ForeignKey(Gender, null=True, blank=True, on_delete=models.PROTECT)
    ssn = EncryptedTextField(visible_tail=4)
    work_email = models.CharField(max_length=254, blank=True)
    personal_email = models.CharField(max_length=254, blank=True)
    work_phone = models.CharField(max_length=25, blank=True)
    cell_phone = models.CharField(max_length=25, blank=True)
    other_phone = models.CharField(max_length=25, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    date_modified = models.DateTimeField(default=timezone.now)
    # Set when the HR system (BOI API or a sync commit) wrote this person: from then on the
    # areas the Business Office Preferences lock are read-only in the sandbox UI.
    hr_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Delta queries (dateLastModified > t) read this index, in a stable order.
            models.Index(fields=["date_modified", "id"], name="campus_person_modified_idx"),
        ]

    def __str__(self):
        return f"person {self.pk}"

    def save(self, *args, **kwargs):
        self.date_modified = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "date_modified"}
        super().save(*args, **kwargs)

    @property
    def person_id(self) -> int:
        return self.pk


def _touch(*person_ids):
    ids = [pk for pk in person_ids if pk is not None]
    if ids:
        Person.objects.filter(pk__in=ids).update(date_modified=timezone.now())


class TouchesPerson(models.Model):
    """Saving or deleting a row bumps its person's ``date_modified``."""

    touched_person_fields: tuple[str, ...] = ("person_id",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _touch(*self._touched_ids())

    def delete(self, *args, **kwargs):
        ids = self._touched_ids()
        result = super().delete(*args, **kwargs)
        _touch(*ids)
        return result

    def _touched_ids(self):
        return [getattr(self, f) for f in self.touched_person_fields]


class Identity(TouchesPerson):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=20, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_current=True), name="campus_one_current_identity"
            )
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="campus_identity_name_idx"),
            # The BOI staff search by name (whole, case-insensitive): ``sandbox.boi.search``.
            models.Index(
                Lower("last_name"), Lower("first_name"), name="campus_identity_lower_name_idx"
            ),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name}"


class Employment(TouchesPerson):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    hire_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["hire_date", "id"]

    def __str__(self):
        return f"employment {self.hire_date}–{self.termination_date or ''}"


class DistrictAssignment(TouchesPerson):
    """A position: school + assignment code and/or title code + dates."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="assignments")
    assignment_code = models.ForeignKey(
        AssignmentCode, null=True, blank=True, on_delete=models.PROTECT
    )
    title_code = models.ForeignKey(TitleCode, null=True, blank=True, on_delete=models.PROTECT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # Campus cannot delete a position that other records (schedules, evaluations...) use.
    is_linked_to_other_activity = models.BooleanField(default=False)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment_code__isnull=False) | Q(title_code__isnull=False),
                name="campus_assignment_has_a_code",
            )
        ]

    def __str__(self):
        return f"{self.school_id}/{self.assignment_code_id}/{self.title_code_id} {self.start_date}"


class Student(TouchesPerson):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="student")
    student_number = models.CharField(max_length=20, unique=True)
    grade = models.CharField(max_length=4)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"student {self.student_number}"


class Relationship(TouchesPerson):
    """A student's parent or guardian (both are persons)."""

    touched_person_fields = ("student_id", "guardian_id")

    student = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="guardian_relationships"
    )
    guardian = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="ward_relationships"
    )
    name = models.CharField(max_length=30, help_text="Mother, Father, Guardian, ...")
    is_guardian = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} of {self.student_id}"


class Address(models.Model):
    """One address record, shared by every household location at it.

    Components follow the BOI API: a PO box uses ``post_office_box`` + ``number`` only.
    """

    post_office_box = models.BooleanField(default=False)
    number = models.CharField(max_length=20, blank=True)
    prefix = models.CharField(max_length=20, blank=True, help_text="pre-directional")
    street = models.CharField(max_length=100, blank=True)
    tag = models.CharField(max_length=20, blank=True, help_text="street suffix: Ave, St, ...")
    direction = models.CharField(max_length=20, blank=True, help_text="post-directional")
    apt = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField(max_length=10, blank=True)
    county = models.CharField(max_length=100, blank=True)
    location_code = models.CharField(max_length=20, blank=True)
    tract = models.CharField(max_length=20, blank=True)
    block = models.CharField(max_length=20, blank=True)
    # Filled in by the BOI address rules (boi/rules/): equal keys = the same address.
    match_key = models.CharField(max_length=200, blank=True, db_index=True)
    # SHA-256 of the components exactly as stored (boi.rules.addresses.components_lookup_key):
    # the BOI API's first, exact-components match is an index lookup too.
    components_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.one_line()

    def street_line(self) -> str:
        if self.post_office_box:
            return f"PO Box {self.number}"
        parts = [self.number, self.prefix, self.street, self.tag, self.direction]
        line = " ".join(p for p in parts if p)
        return f"{line} Apt {self.apt}" if self.apt else line

    def one_line(self) -> str:
        return f"{self.street_line()}, {self.city}, {self.state} {self.zip}".strip(", ")


class Household(models.Model):
    name = models.CharField(max_length=200)
    is_staff_household = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="household_memberships"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.person_id} in {self.household_id}"


class HouseholdLocation(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="locations")
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="household_locations"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_mailing = models.BooleanField(default=True)
    is_secondary = models.BooleanField(default=False)
    is_private = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.household_id} at {self.address_id}"
