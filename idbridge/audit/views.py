from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from idbridge.audit.models import AuditEntry
from idbridge.audit.services import audit_unsealed
from idbridge.core.access import permission_required
from idbridge.core.paging import filter_query


@require_GET
@permission_required("core.view_audit")
def entry_list(request):
    entries = AuditEntry.objects.all()
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "target": request.GET.get("target", "").strip(),
    }
    if filters["actor"]:
        entries = entries.filter(actor_label__icontains=filters["actor"])
    if filters["action"]:
        entries = entries.filter(action__startswith=filters["action"])
    if filters["target"]:
        entries = entries.filter(target__icontains=filters["target"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = filter_query(filters)
    context = {"page": page, "filters": filters, "query": query, "unsealed": audit_unsealed()}
    return render(request, "audit/list.html", context)
