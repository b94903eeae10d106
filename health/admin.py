from django.contrib import admin

from health.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["queue", "hostname", "seen_at"]
