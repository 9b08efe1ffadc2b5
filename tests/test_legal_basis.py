"""Dasar Hukum keys: two wordings of one regulation are one."""

import pytest

from sopdata.legal_basis import legal_basis_union, regulation_key
from tests.support.builders import small_sop


@pytest.mark.parametrize(
    "a,b,same",
    [
        (
            "Peraturan Pemerintah No. 96 Tahun 2000 tentang Wewenang Pengangkatan",
            "PP Nomor 96 Th. 2000",
            True,
        ),
        (
            "Peraturan Bupati Jombang Nomor 16 Tahun 2010 tentang Tugas Pokok",
            "Peraturan Bupati Jombang Nomor 16 Tahun 2. Memahami prosedur 2010 tentang Tugas Pokok",
            True,
        ),
        (
            "Undang-Undang Nomor 23 tahun 2014 tentang PEMERINTAHAN DAERAH",
            "Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara",
            False,
        ),
        ("Peraturan Daerah Nomor 1 Tahun 2025", "Peraturan Bupati Nomor 1 Tahun 2025", False),
        (
            "Surat Edaran Sekda Kab. Lumajang No. 138/106/427.11/2015",
            "surat edaran sekda no. 138/106/427.11/2015",
            True,
        ),
    ],
)
def test_regulation_key(a, b, same):
    assert (regulation_key(a)[0] == regulation_key(b)[0]) is same


def test_union_keeps_the_fullest_wording_in_the_order_of_the_hierarchy():
    law = "Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara"
    perbup = "Peraturan Bupati Nomor 96 Tahun 2019 tentang Kedudukan"
    a = small_sop(
        "Kecamatan A",
        [("Mengirim surat", "Caraka", "5 menit")],
        legal_basis=[perbup, "UU No. 5 Th. 2014"],
    )
    b = small_sop("Kecamatan B", [("Mengirim surat", "Caraka", "5 menit")], legal_basis=[law])
    union = legal_basis_union([a, b])
    assert [text for text, _ in union] == [law, perbup]
    assert [members for _, members in union] == [[0, 1], [0]]
