"""The embedded broker's folders exist before the first task is queued (fresh clone, ``make run``)."""

from pathlib import Path

from mall.celery import filesystem_broker_folders_ensure


def test_filesystem_broker_folders_are_created(tmp_path: Path) -> None:
    queue = tmp_path / "var" / "celery" / "queue"
    processed = tmp_path / "var" / "celery" / "processed"
    control = tmp_path / "var" / "celery" / "control"
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
    }

    made = filesystem_broker_folders_ensure(options)

    assert queue.is_dir() and processed.is_dir() and control.is_dir()
    assert set(made) == {queue, processed, control}
    # Running twice (worker and web both configure the app) is harmless.
    assert filesystem_broker_folders_ensure(options) == made
