from django.contrib import admin

from flows.models import Configuration, Flow


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "version", "external_version", "uploader", "created_at"]
    search_fields = ["name", "external_version"]
    readonly_fields = [f.name for f in Flow._meta.fields]


@admin.register(Configuration)
class ConfigurationAdmin(admin.ModelAdmin):
    list_display = ["id", "flow", "hash", "created_at"]
    readonly_fields = [f.name for f in Configuration._meta.fields]
