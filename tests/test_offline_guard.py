"""The suite itself must prove the app never opens a network connection."""

import socket

import pytest

from tests.conftest import NetworkUsed


def test_tcp_connect_is_refused_by_the_guard():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkUsed):
        sock.connect(("127.0.0.1", 9))
