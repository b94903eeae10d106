from django.contrib import admin

from tasks.models import EstimationProcedure, Task


@admin.register(EstimationProcedure)
class EstimationProcedureAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "task_type", "kind", "repeats", "folds", "stratified"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["id", "dataset", "task_type", "target_name", "estimation_procedure", "status"]
    list_filter = ["task_type", "status"]
    # A task's definition is its identity: moderators look, they do not edit.
    readonly_fields = [f.name for f in Task._meta.fields]
