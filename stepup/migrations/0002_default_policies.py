"""Default step-up policies for the three sensitive Campus action categories.

Each is selected by its idbridge class reference (when the SP asks for it) or by a
RelayState pattern (the Campus page the user is going to), for every SP; editable on the
dashboard.
"""

from django.db import migrations

DEFAULTS = [
    {
        "action": "payroll",
        "label": "Payroll",
        "class_ref": "urn:idbridge:ac:classes:stepup:payroll",
        "relay_state_pattern": r"(?i)payroll",
        "max_age_seconds": 300,
    },
    {
        "action": "grade-override",
        "label": "Grade override",
        "class_ref": "urn:idbridge:ac:classes:stepup:grade-override",
        "relay_state_pattern": r"(?i)grade[-_ ]?override",
        "max_age_seconds": 300,
    },
    {
        "action": "enrollment-change",
        "label": "Enrollment change",
        "class_ref": "urn:idbridge:ac:classes:stepup:enrollment-change",
        "relay_state_pattern": r"(?i)enrol(l)?ment[-_ ]?change",
        "max_age_seconds": 600,
    },
]


def add_defaults(apps, schema_editor):
    StepUpPolicy = apps.get_model("stepup", "StepUpPolicy")
    for values in DEFAULTS:
        if not StepUpPolicy.objects.filter(action=values["action"]).exists():
            StepUpPolicy.objects.create(required_roles=[], enabled=True, **values)


def remove_defaults(apps, schema_editor):
    StepUpPolicy = apps.get_model("stepup", "StepUpPolicy")
    StepUpPolicy.objects.filter(
        action__in=[d["action"] for d in DEFAULTS], service_provider__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("stepup", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
