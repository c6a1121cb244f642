### Bahasa Indonesia. Links to the help page (templates/bantuan.html) from the form, the receipt and /pantau.

help-which-code = Kode mana yang harus disimpan?
help-lost-receipt = Jika kode resi hilang
help-remove-metadata = Cara menghapus lokasi dan data tersembunyi dari berkas
help-what-team-sees = Apa yang dilihat tim dari berkas (termasuk nama berkas)
help-new-tab = terbuka di tab baru
