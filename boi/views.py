from django.shortcuts import render

from idbridge.core.access import permission_required


@permission_required("core.view_boi")
def index(request):
    return render(request, "boi/index.html")
