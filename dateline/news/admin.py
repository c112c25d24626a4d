"""A plain admin for the newsroom until the desk (its own app) takes over.

Saving here goes through the model's own ``save``, so bodies are sanitised and
derived fields computed whatever the admin sends.
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


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
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
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
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
class ImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "width", "height", "created_at"]
    search_fields = ["alt_text", "caption"]


@admin.register(Pick)
class PickAdmin(admin.ModelAdmin):
    list_display = ["story", "position", "starts_at", "ends_at"]
    list_editable = ["position"]
    autocomplete_fields = ["story"]
