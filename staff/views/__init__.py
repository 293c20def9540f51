"""Staff onboarding pages: the applicant's way (``applicant``), the dashboard's cases
(``cases``) and Campus connections (``connections``). The passkey ceremonies, including
the applicant's enrollment and a person's own passkeys, are ``stepup.ceremonies``."""
