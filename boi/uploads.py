"""An upload handler that encrypts the HR file as it arrives (no clear-text temp file)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from boi import storage


class EncryptedUpload:
    """What ``request.FILES["file"]`` holds: the stored file, not its content."""

    def __init__(self, name: str, stored: storage.StoredFile | None, too_large: bool = False):
        self.name = name
        self.stored = stored
        self.too_large = too_large
        self.size = stored.size if stored else 0


class EncryptingUploadHandler(FileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.writer = storage.EncryptedWriter()
        self.limit = settings.BOI_UPLOAD_MAX_MEGABYTES * 1024 * 1024

    def receive_data_chunk(self, raw_data, start):
        self.writer.write(raw_data)
        if self.writer.size > self.limit:
            self.writer.abort()
            self.writer = None
            raise StopUpload(connection_reset=True)
        return None

    def file_complete(self, file_size):
        if getattr(self, "writer", None) is None:
            return EncryptedUpload(self.file_name, None, too_large=True)
        return EncryptedUpload(self.file_name, self.writer.close())

    def upload_interrupted(self):
        if getattr(self, "writer", None) is not None:
            self.writer.abort()
