# Models for the Staff onboarding app.
