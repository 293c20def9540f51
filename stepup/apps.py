from django.apps import AppConfig


class StepupConfig(AppConfig):
    name = "stepup"
    verbose_name = "Step-up IdP"

    def ready(self):
        # The IdP re-reads the signed-in person on every SSO request (revocation, re-proof).
        from stepup.ceremonies.signin import subject_load
        from stepup.subjects import set_subject_loader

        set_subject_loader(subject_load)
        # Administrative acts on every app's pages ask for a fresh passkey check.
        from idbridge.core.gates import passkey_gate_install
        from stepup.gates import DashboardPasskeyGate

        passkey_gate_install(DashboardPasskeyGate())
