# Models for the Step-up IdP app.
