from django.contrib import admin

from runs.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "flow", "uploader", "status", "error_code", "created_at"]
    list_filter = ["status", "origin"]
    # Runs and their evaluations come from services and the scorer; here moderators look.
    readonly_fields = [f.name for f in Run._meta.fields]
