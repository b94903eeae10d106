from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiKey, Membership, Team, User


@admin.register(User)
class TunebenchUserAdmin(UserAdmin):
    pass


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    # Moderators may revoke a key but never see or change its hash.
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False
