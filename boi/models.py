# Models for the Business Office app.
