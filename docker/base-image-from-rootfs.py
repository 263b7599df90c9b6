#!/usr/bin/env python3
"""Wraps a root filesystem tarball (e.g. from mmdebstrap) into a one-layer `docker save` archive,
the format Jib reads as a base with -Djib.from.image=tar://<archive>. For machines that reach
Debian's apt but no container registry (docs/operations.md#images):

  mmdebstrap --variant=apt --include=openjdk-17-jre-headless,curl,ca-certificates bookworm rootfs.tar
  docker/base-image-from-rootfs.py rootfs.tar base.tar
  ./mvnw -B -Pimages -DskipTests -Djib.from.image=tar://$PWD/base.tar package
"""
import hashlib
import io
import json
import sys
import tarfile

rootfs, out = sys.argv[1], sys.argv[2]
digest = hashlib.sha256()
with open(rootfs, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
config = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest.hexdigest()]},
    "history": [{"created_by": "mmdebstrap " + rootfs}],
}
manifest = [{"Config": "config.json", "RepoTags": ["mailer/jre-base:local"], "Layers": ["layer.tar"]}]
with tarfile.open(out, "w") as archive:
    archive.add(rootfs, arcname="layer.tar")
    for name, doc in (("config.json", config), ("manifest.json", manifest)):
        data = json.dumps(doc).encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
