from django.shortcuts import render

from idbridge.core.access import permission_required


@permission_required("core.view_onboarding")
def index(request):
    return render(request, "staff/index.html")
