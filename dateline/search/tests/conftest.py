import re
from html.parser import HTMLParser

import pytest


class Results(HTMLParser):
    """The result headlines of a search page, in order, as plain text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.headlines, self._depth = [], 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "h2" and "teaser__headline" in (dict(attrs).get("class") or ""):
            self.headlines.append("")
            self._depth = 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self._depth = 0

    def handle_data(self, data):
        if self._depth:
            self.headlines[-1] += data


@pytest.fixture
def search(client):
    """search(q, **params) -> (response, [result headlines]) through the real page."""

    def run(q=None, status=200, **params):
        query = {} if q is None else {"q": q}
        query.update({"from" if k == "start" else "to" if k == "end" else k: v for k, v in params.items()})
        response = client.get("/search/", query)
        assert response.status_code == status, (query, response.status_code)
        html = response.content.decode()
        return response, [" ".join(h.split()) for h in Results(html).headlines]

    return run


def text_of(response):
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
