from django.contrib import admin

from datasets.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "version", "status", "visibility", "uploader", "created_at"]
    list_filter = ["status", "visibility", "format"]
    search_fields = ["name"]
    # Versions are immutable: moderators deactivate through the site; here they only look.
    readonly_fields = [f.name for f in Dataset._meta.fields]
