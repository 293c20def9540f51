"""The Business Office Integration home page: the latest synchronization at a glance."""

from __future__ import annotations

from django.shortcuts import render

from idbridge.core.access import permission_required
from sandbox.boi import sync
from sandbox.boi.views.common import VIEW, page_context
from sandbox.models import BoiErrorLogEntry, SyncSession


@permission_required(VIEW)
def index(request):
    return render(
        request,
        "sandbox/boi/index.html",
        page_context(
            request,
            "boi",
            session=SyncSession.objects.first(),
            job=sync.commit_job_latest(),
            errors=BoiErrorLogEntry.objects.count(),
            unread=request.user.campus_messages.filter(read_at__isnull=True).count(),
        ),
    )
