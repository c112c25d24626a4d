from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def paginate(request, queryset, per_page=None):
    """The requested page of ``queryset``; any page that does not exist is a 404.

    ``?page=abc``, ``?page=-1``, ``?page=0`` and pages past the end all answer
    404 rather than quietly showing another page.
    """
    paginator = Paginator(queryset, per_page or settings.DATELINE["PAGE_SIZE"])
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or len(raw) > 9:
        raise Http404("No such page")
    try:
        return paginator.page(int(raw))
    except InvalidPage:
        raise Http404("No such page") from None
