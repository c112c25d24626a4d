from django.db import models

from dateline.news.models import Story


class RelatedStory(models.Model):
    """A story's most related stories, best first; computed when it is published or edited."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="related_from")
    score = models.FloatField()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["story", "related"], name="one_link_per_pair")]
