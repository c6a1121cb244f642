### Bahasa Indonesia (the fallback language).
# Report categories: the stable codes stay in src/intake/report.rs (CATEGORIES); the label of code X is
# category-x, and its short title for WhatsApp list rows (at most 24 characters) category-x-short.

category-korupsi = Korupsi
category-korupsi-short = Korupsi
category-suap = Suap
category-suap-short = Suap
category-gratifikasi = Gratifikasi
category-gratifikasi-short = Gratifikasi
category-pungli = Pungutan liar / pemerasan
category-pungli-short = Pungli / pemerasan
category-benturan-kepentingan = Benturan kepentingan
category-benturan-kepentingan-short = Benturan kepentingan
category-penyalahgunaan-wewenang = Penyalahgunaan wewenang
category-penyalahgunaan-wewenang-short = Penyalahgunaan wewenang
category-penggelapan = Penggelapan
category-penggelapan-short = Penggelapan
category-kecurangan = Perbuatan curang / pemalsuan
category-kecurangan-short = Curang / pemalsuan
category-pengadaan = Pelanggaran pengadaan barang/jasa
category-pengadaan-short = Pengadaan barang/jasa
category-disiplin-asn = Pelanggaran disiplin ASN
category-disiplin-asn-short = Disiplin ASN
category-kode-etik = Pelanggaran kode etik
category-kode-etik-short = Kode etik
category-maladministrasi = Maladministrasi
category-maladministrasi-short = Maladministrasi
category-lainnya = Lainnya
category-lainnya-short = Lainnya
