"""Admin for ingest's own records; the queue itself is worked at /desk/ingest/wires/."""

from django.contrib import admin
from django.db import models

from .models import ImportedItem, Wire, WireItem

# Agency feeds are https; a scheme-less address typed here means that, not http.
HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Wire)
class WireAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS
    list_display = ["name", "agency", "url", "active", "last_polled_at", "last_error"]
    list_filter = ["active"]
    readonly_fields = ["last_polled_at", "last_error"]


@admin.register(WireItem)
class WireItemAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS
    list_display = ["headline", "agency", "version", "status", "embargo", "received_at"]
    list_filter = ["status", "agency", "withdrawn"]
    search_fields = ["headline", "guid"]
    raw_id_fields = ["story"]
    readonly_fields = ["guid", "version", "version_at", "format", "received_at", "updated_at"]


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS
    list_display = ["origin", "external_id", "story", "imported_at", "updated_at"]
    list_filter = ["origin"]
    search_fields = ["external_id", "original_url"]
    raw_id_fields = ["story"]
