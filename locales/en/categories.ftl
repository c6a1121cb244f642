### English.
# Report categories: the stable codes stay in src/intake/report.rs (CATEGORIES); the label of code X is
# category-x, and its short title for WhatsApp list rows (at most 24 characters) category-x-short.

category-korupsi = Corruption
category-korupsi-short = Corruption
category-suap = Bribery
category-suap-short = Bribery
category-gratifikasi = Gratuities
category-gratifikasi-short = Gratuities
category-pungli = Illegal levies / extortion
category-pungli-short = Illegal levy/extortion
category-benturan-kepentingan = Conflict of interest
category-benturan-kepentingan-short = Conflict of interest
category-penyalahgunaan-wewenang = Abuse of authority
category-penyalahgunaan-wewenang-short = Abuse of authority
category-penggelapan = Embezzlement
category-penggelapan-short = Embezzlement
category-kecurangan = Fraud / forgery
category-kecurangan-short = Fraud / forgery
category-pengadaan = Procurement violations
category-pengadaan-short = Procurement
category-disiplin-asn = Civil-servant discipline breach
category-disiplin-asn-short = Civil-servant discipline
category-kode-etik = Code of conduct breach
category-kode-etik-short = Code of conduct
category-maladministrasi = Maladministration
category-maladministrasi-short = Maladministration
category-lainnya = Other
category-lainnya-short = Other
