"""Every write to the Campus sandbox (see STYLE.md: ``<entity>_<verb>(*, ..., actor)``)."""
