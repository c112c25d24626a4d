from django.shortcuts import redirect

from .views import old_address

# The query keys of WordPress's plain permalinks (/?p=123, /?page_id=7, /?cat=4,
# /?tag=port, /?author=2). An importer stores such an address as
# "<path>?<key>=<value>" (dateline/ingest/wordpress.py).
OLD_QUERY_KEYS = ("p", "page_id", "cat", "tag", "author")


def _old_query_path(request):
    """"<path>?<key>=<value>" for a request carrying one of the old keys, else None."""
    for key in OLD_QUERY_KEYS:
        values = request.GET.getlist(key)
        if len(values) == 1 and values[0] and len(values[0]) <= 200:
            return f"{request.path}?{key}={values[0]}"
    return None


class StoryRedirectMiddleware:
    """Answers 301 for a story's old address (slug changed, imported permalink).

    A path alone is looked up only on a 404, so the lookup costs nothing on
    pages that exist. An old plain permalink (``/?p=123``) names a page that
    exists (the home page), so a request carrying one of those query keys is
    looked up first; any other request pays one dictionary lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in ("GET", "HEAD")
        if safe and request.META.get("QUERY_STRING"):
            old = _old_query_path(request)
            story = old_address(old) if old else None
            if story is not None:
                return redirect(story, permanent=True)
        response = self.get_response(request)
        if response.status_code != 404 or not safe:
            return response
        story = old_address(request.path)
        if story is None:
            return response
        return redirect(story, permanent=True)
