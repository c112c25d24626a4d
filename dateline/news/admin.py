"""Django's admin over the newsroom, for administrators.

Stories, picks, sections and images are changed only at the desk (``/desk/``),
whose views go through ``news.actions``: the one write path that keeps
revisions, the workflow's rules, search and the page store in step. Here they are
read-only. Authors, sources and tags are edited here; their saves go through the
model's own ``save`` and the receivers of ``post_save`` (search, page store).
"""

from django.contrib import admin

from .models import Author, Byline, Credit, Image, Pick, Section, Source, Story, Tag


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    autocomplete_fields = ["source"]


class DeskOnly:
    """Read-only in the admin: the desk makes these changes, through news.actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BylineInline(DeskOnly, BylineInline):
    pass


class CreditInline(DeskOnly, CreditInline):
    pass


@admin.register(Story)
class StoryAdmin(DeskOnly, admin.ModelAdmin):
    list_display = ["headline", "section", "status", "published_at"]
    list_filter = ["status", "section"]
    search_fields = ["headline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["tags", "also_read", "lead_image"]
    list_select_related = ["section"]
    show_full_result_count = False
    inlines = [BylineInline, CreditInline]


@admin.register(Section)
class SectionAdmin(DeskOnly, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Image)
class ImageAdmin(DeskOnly, admin.ModelAdmin):
    list_display = ["__str__", "width", "height", "created_at"]
    search_fields = ["alt_text", "caption"]


@admin.register(Pick)
class PickAdmin(DeskOnly, admin.ModelAdmin):
    list_display = ["story", "position", "starts_at", "ends_at"]
    autocomplete_fields = ["story"]
