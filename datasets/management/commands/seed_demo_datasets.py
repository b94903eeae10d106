"""``manage.py seed_demo_datasets``: the tables scikit-learn ships, uploaded as real datasets.

They go through the same path as any upload (the upload service, then the ingestion job
on a worker), so a fresh ``make run`` shows processed datasets with features, qualities
and plots. Idempotent: a name that already exists is skipped. Embedded profile only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from datasets.models import Dataset
from datasets.services import upload_dataset

UCI = "CC BY 4.0"

# (loader name, dataset name, target column, licence, classification?)
DEMO = [
    ("load_iris", "iris", "species", UCI, True),
    ("load_wine", "wine", "cultivar", UCI, True),
    ("load_breast_cancer", "breast-cancer-wisconsin", "diagnosis", UCI, True),
    ("load_digits", "digits", "digit", UCI, True),
    ("load_diabetes", "diabetes", "progression", "", False),
    ("load_linnerud", "linnerud", "Weight", "", False),
]


def demo_frame(loader_name: str, target: str, classification: bool):
    from sklearn import datasets as sk

    bunch = getattr(sk, loader_name)(as_frame=True)
    frame = bunch.frame.copy()
    if classification:
        names = list(getattr(bunch, "target_names", []))
        labels = bunch.target.map(lambda i: str(names[i]) if names else str(i))
        frame = frame.drop(columns=[bunch.target.name]).assign(**{target: labels.to_numpy()})
    elif getattr(bunch.target, "name", None) not in (None, target) and target not in frame:
        # One target column under another name (diabetes: "target"); multi-target tables
        # (linnerud) already hold the target column under its own name.
        frame = frame.rename(columns={bunch.target.name: target})
    return frame, bunch.DESCR


class Command(BaseCommand):
    help = "Upload scikit-learn's bundled datasets as demo datasets (embedded profile only)."

    def add_arguments(self, parser):
        parser.add_argument("--uploader", default="demo")

    def handle(self, *args, uploader: str, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo_datasets is for the embedded demo only.")
        user = User.objects.filter(username=uploader).first()
        if user is None:
            raise CommandError(f"No user {uploader!r}; run seed_demo first.")
        with tempfile.TemporaryDirectory() as tmp:
            for loader, name, target, licence, classification in DEMO:
                if Dataset.objects.filter(name_key=name.lower()).exists():
                    continue
                frame, descr = demo_frame(loader, target, classification)
                path = Path(tmp) / f"{name}.csv"
                frame.to_csv(path, index=False)
                with open(path, "rb") as handle:
                    dataset = upload_dataset(
                        uploader=user,
                        chunks=iter(lambda h=handle: h.read(1 << 20), b""),
                        filename=path.name,
                        name=name,
                        description=descr,
                        licence=licence,
                        citation="Shipped with scikit-learn (sklearn.datasets).",
                        default_target_attribute=target,
                        tags=["demo", "scikit-learn"],
                    )
                self.stdout.write(f"Uploaded {name} as dataset {dataset.pk} (ingestion queued).")
