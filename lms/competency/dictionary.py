"""The competency dictionary shipped with the portal: PermenPANRB 38/2017 and the bundled courses'.

Pure data. The migration that creates the `competency` table inserts a frozen copy of it (so
`flask db upgrade` gives a fresh portal this dictionary); tests seed their database from here,
and a test holds the two copies equal.
"""

from __future__ import annotations

MANAGERIAL, SOCIO_CULTURAL, TECHNICAL = "managerial", "socio-cultural", "technical"
KINDS = (MANAGERIAL, SOCIO_CULTURAL, TECHNICAL)
LEVELS = (1, 2, 3, 4, 5)

# code, name, kind, description, descriptions of levels 1 to 5 (in Indonesian, as HR reads them)
SHIPPED: tuple[dict, ...] = (
    {
        "code": "M1",
        "name": "Integritas",
        "kind": MANAGERIAL,
        "description": "Konsisten berperilaku selaras dengan nilai, norma dan etika organisasi, "
        "jujur, serta bertanggung jawab atas tindakan, keputusan dan risikonya.",
        "levels": [
            "Bertindak sesuai nilai, norma dan etika organisasi dalam kapasitas pribadi.",
            "Mengingatkan dan mengajak rekan kerja bertindak sesuai nilai, norma dan etika.",
            "Memastikan anggota tim yang dipimpin bertindak sesuai nilai, norma dan etika.",
            "Menciptakan situasi kerja yang membuat semua pihak bertindak sesuai etika.",
            "Menjadi teladan penerapan standar keadilan dan etika di tingkat nasional.",
        ],
    },
    {
        "code": "M2",
        "name": "Kerja Sama",
        "kind": MANAGERIAL,
        "description": "Menjalin dan membina hubungan kerja yang efektif, saling membantu dalam "
        "menyelesaikan tugas, dan mengoptimalkan sumber daya untuk tujuan organisasi.",
        "levels": [
            "Berpartisipasi sebagai anggota tim yang baik.",
            "Menumbuhkan tim kerja yang partisipatif dan efektif.",
            "Membangun tim kerja yang efektif untuk meningkatkan kinerja organisasi.",
            "Membangun komitmen dan sinergi tim.",
            "Menciptakan kerja sama yang efektif lintas organisasi dan lintas sektor.",
        ],
    },
    {
        "code": "M3",
        "name": "Komunikasi",
        "kind": MANAGERIAL,
        "description": "Menyampaikan pandangan dan gagasan secara jelas dan sistematis, lisan "
        "maupun tertulis, mendengarkan secara aktif, dan meyakinkan orang lain.",
        "levels": [
            "Menyampaikan informasi dengan jelas dan lengkap sehingga dipahami sama.",
            "Aktif berkomunikasi formal dan informal, mendengarkan, dan menyusun bahan tertulis.",
            "Berkomunikasi asertif dan menyampaikan informasi yang sensitif atau rumit.",
            "Mengemukakan pemikiran multidimensi untuk mendorong kesepakatan.",
            "Menggagas sistem komunikasi terbuka yang strategis untuk mencari solusi.",
        ],
    },
    {
        "code": "M4",
        "name": "Orientasi pada Hasil",
        "kind": MANAGERIAL,
        "description": "Berkomitmen tinggi menyelesaikan tugas, dapat diandalkan, dan "
        "mengidentifikasi risiko serta peluang demi keberhasilan organisasi.",
        "levels": [
            "Bertanggung jawab memenuhi standar kerja.",
            "Berupaya melampaui standar kerja dan mencoba cara baru yang lebih baik.",
            "Menetapkan target kerja yang menantang bagi unit kerja.",
            "Mendorong unit kerja mencapai atau melampaui target.",
            "Menciptakan manajemen kinerja berbasis tujuan di seluruh organisasi.",
        ],
    },
    {
        "code": "M5",
        "name": "Pelayanan Publik",
        "kind": MANAGERIAL,
        "description": "Melayani kebutuhan publik secara profesional dan transparan, sesuai "
        "standar pelayanan, netral, tidak diskriminatif dan bebas kepentingan pribadi.",
        "levels": [
            "Menjalankan pelayanan sesuai standar pelayanan yang ditetapkan.",
            "Mengawasi dan menjelaskan proses pelayanan publik secara transparan.",
            "Memperbaiki standar pelayanan publik di lingkup unit kerja.",
            "Mengantisipasi isu jangka panjang dalam pelayanan kepada pemangku kepentingan.",
            "Menetapkan kebijakan yang menjamin pelayanan publik yang objektif dan netral.",
        ],
    },
    {
        "code": "M6",
        "name": "Pengembangan Diri dan Orang Lain",
        "kind": MANAGERIAL,
        "description": "Meningkatkan pengetahuan dan keterampilan diri, serta menginspirasi dan "
        "membimbing orang lain untuk mengembangkan potensinya.",
        "levels": [
            "Mengembangkan diri sendiri.",
            "Memberi contoh dan penjelasan cara melaksanakan pekerjaan kepada bawahan.",
            "Memberikan umpan balik dan membimbing.",
            "Menyusun program pengembangan jangka panjang.",
            "Menciptakan organisasi yang terus belajar.",
        ],
    },
    {
        "code": "M7",
        "name": "Mengelola Perubahan",
        "kind": MANAGERIAL,
        "description": "Menyesuaikan diri dengan situasi baru, mendukung dan memimpin inisiatif "
        "perubahan, serta memastikan perubahan berhasil diterapkan.",
        "levels": [
            "Mengikuti perubahan dengan arahan.",
            "Proaktif beradaptasi dengan perubahan.",
            "Membantu orang lain mengikuti perubahan dan mengantisipasinya.",
            "Memimpin perubahan di unit kerja.",
            "Mengelola perubahan yang berdampak luas bagi organisasi atau nasional.",
        ],
    },
    {
        "code": "M8",
        "name": "Pengambilan Keputusan",
        "kind": MANAGERIAL,
        "description": "Membuat keputusan yang tepat waktu dan cermat berdasarkan informasi, "
        "alternatif dan konsekuensinya, serta bertanggung jawab atas keputusan itu.",
        "levels": [
            "Mengumpulkan informasi untuk bertindak sesuai kewenangan.",
            "Menganalisis masalah secara mendalam.",
            "Membandingkan alternatif dan menimbang risikonya.",
            "Menyelesaikan masalah berisiko tinggi dan memitigasi dampaknya.",
            "Mengambil keputusan strategis jangka panjang yang berdampak nasional.",
        ],
    },
    {
        "code": "SK1",
        "name": "Perekat Bangsa",
        "kind": SOCIO_CULTURAL,
        "description": "Mempromosikan toleransi dan keterbukaan, peka terhadap perbedaan, serta "
        "menjaga persatuan dan kesatuan di tengah kemajemukan Indonesia.",
        "levels": [
            "Peka memahami dan menerima kemajemukan.",
            "Aktif mengembangkan sikap saling menghargai dan persatuan.",
            "Mempromosikan sikap toleransi dan persatuan.",
            "Mendayagunakan perbedaan secara konstruktif untuk efektivitas organisasi.",
            "Mewakili pemerintah membangun hubungan sosial di tengah kemajemukan.",
        ],
    },
    # Technical competencies of the bundled courses (courses/*/course.md): agencies add their own.
    {
        "code": "T-MPROY",
        "name": "Manajemen Proyek",
        "kind": TECHNICAL,
        "description": "Merencanakan, melaksanakan, memantau dan menutup kegiatan agar tepat "
        "waktu, mutu dan anggaran.",
        "levels": [
            "Menjalankan tugas proyek sesuai jadwal dan melaporkan kemajuannya.",
            "Menyusun rencana kerja, jadwal dan anggaran kegiatan sederhana dan memantaunya.",
            "Mengelola risiko, perubahan dan pemangku kepentingan proyek di unit kerja.",
            "Mengelola beberapa proyek sekaligus selaras dengan sasaran organisasi.",
            "Membangun tata kelola dan standar manajemen proyek organisasi.",
        ],
    },
    {
        "code": "T-PENGADUAN",
        "name": "Penanganan Pengaduan",
        "kind": TECHNICAL,
        "description": "Menerima, menindaklanjuti dan menuntaskan pengaduan masyarakat atas "
        "pelayanan publik secara cepat dan adil.",
        "levels": [
            "Menerima dan mencatat pengaduan sesuai prosedur.",
            "Menindaklanjuti pengaduan sampai selesai dan mengabari pelapor.",
            "Menganalisis pola pengaduan dan mengusulkan perbaikan layanan.",
            "Mengoordinasikan penanganan pengaduan lintas unit kerja.",
            "Menetapkan kebijakan pengelolaan pengaduan di tingkat daerah.",
        ],
    },
    {
        "code": "T-PROMKES",
        "name": "Promosi Kesehatan",
        "kind": TECHNICAL,
        "description": "Merencanakan dan melaksanakan upaya agar masyarakat mampu memelihara dan "
        "meningkatkan kesehatannya.",
        "levels": [
            "Menyampaikan pesan kesehatan yang sudah disiapkan kepada masyarakat.",
            "Menyusun materi dan melaksanakan penyuluhan kepada kelompok sasaran.",
            "Merencanakan kampanye promosi kesehatan berdasarkan data.",
            "Menggerakkan kemitraan lintas sektor dan pemberdayaan masyarakat.",
            "Merumuskan kebijakan promosi kesehatan daerah.",
        ],
    },
    {
        "code": "T-SURVKES",
        "name": "Surveilans Kesehatan",
        "kind": TECHNICAL,
        "description": "Mengumpulkan, mengolah, menganalisis dan menyajikan data penyakit dan "
        "faktor risiko secara terus-menerus untuk tindakan kesehatan masyarakat.",
        "levels": [
            "Mencatat dan melaporkan kasus sesuai format dan definisi kasus.",
            "Mengolah data surveilans menjadi tabel, grafik dan peta sederhana.",
            "Menganalisis tren dan menyelidiki kejadian luar biasa.",
            "Merancang dan mengevaluasi sistem surveilans di unit kerja.",
            "Mengarahkan kebijakan surveilans dan respons kesehatan daerah.",
        ],
    },
)
