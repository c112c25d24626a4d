from django.shortcuts import render
from django.views.decorators.http import require_safe

from dateline.public.pagination import paginate

from .forms import SearchForm
from .query import clean
from .search import WINDOW, find


@require_safe
def search(request):
    form = SearchForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data
    text = data.get("q") if "q" in data else clean(request.GET.get("q"))
    section = data.get("section")
    context = {
        "form": form,
        "search_query": text,
        # Only values that parsed go back into the form: a date input must hold a date.
        "chosen": {
            "section": section,
            "from": data["start"].isoformat() if data.get("start") else "",
            "to": data["end"].isoformat() if data.get("end") else "",
        },
        "window": WINDOW,
        "results": None,
        "page": None,
    }
    if valid and text:
        start, end = form.time_range()
        results = find(text, section=section, start=start, end=end)
        context.update(results=results, page=paginate(request, results))
    return render(request, "search/search.html", context, status=200 if valid else 400)
