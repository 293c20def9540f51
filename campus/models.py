# Models for the Campus sandbox app.
