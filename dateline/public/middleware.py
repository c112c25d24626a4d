from django.shortcuts import redirect

from .views import old_address


class StoryRedirectMiddleware:
    """Answers 301 for a story's old address (slug changed, imported permalink).

    Acts only on 404s, so the lookup costs nothing on pages that exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        story = old_address(request.path)
        if story is None:
            return response
        return redirect(story, permanent=True)
