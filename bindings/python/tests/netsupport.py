"""Shared by the network-list tests: a scratch network with plugin names of
its own (symbolic links to the test plugin, so each plugin's ``type`` tells
it apart in the command log), a cache directory and that log."""

from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, List, Optional

import cniinvoke

PLUGINS = ("alpha", "beta", "gamma", "delta")


class Net:
    def __init__(self, root: pathlib.Path, plugin: str) -> None:
        self.root = root
        self.bin = root / "bin"
        self.logs = root / "log"
        self.cache = root / "cache"
        self.bin.mkdir()
        self.logs.mkdir()
        for name in PLUGINS:
            (self.bin / name).symlink_to(plugin)

    def cfg(self, **kw: Any) -> cniinvoke.CNIConfig:
        kw.setdefault("cache_sync", False)
        return cniinvoke.CNIConfig([str(self.bin)], str(self.cache), **kw)

    def list_dict(self, name: str, version: str, plugins: List[Any], **extra: Any) -> Dict:
        out = []
        for p in plugins:
            p = {"type": p} if isinstance(p, str) else dict(p)
            p.setdefault("logDir", str(self.logs))
            out.append(p)
        return dict({"cniVersion": version, "name": name, "plugins": out}, **extra)

    def list(self, name: str, version: str, plugins: List[Any], **extra: Any):
        return cniinvoke.NetworkConfigList.from_bytes(
            json.dumps(self.list_dict(name, version, plugins, **extra))
        )

    def rt(self, ctr: str, if_name: str = "eth0", **kw: Any) -> cniinvoke.RuntimeConf:
        kw.setdefault("netns", "/var/run/netns/test")
        return cniinvoke.RuntimeConf(container_id=ctr, if_name=if_name, **kw)

    def log(self, file: str) -> List[Dict[str, Any]]:
        path = self.logs / file
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def log_of(self, ctr: str, if_name: str = "eth0") -> List[Dict[str, Any]]:
        return self.log(f"{ctr}-{if_name}.log")

    def steps(self, ctr: str, if_name: str = "eth0") -> List[str]:
        return [f"{line['command']} {line['type']}" for line in self.log_of(ctr, if_name)]

    def entry(self, net: str, ctr: str, if_name: str = "eth0") -> pathlib.Path:
        return self.cache / "results" / f"{net}-{ctr}-{if_name}"

    def cached(self, net: str, ctr: str, if_name: str = "eth0") -> Optional[Dict[str, Any]]:
        path = self.entry(net, ctr, if_name)
        return json.loads(path.read_text()) if path.exists() else None


def failing(plugin: str, commands: List[str], code: int = 100, **kw: Any) -> Dict[str, Any]:
    return dict({"type": plugin, "failOn": commands, "failCode": code}, **kw)
