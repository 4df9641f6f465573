"""competency dictionary: competencies (with the shipped dictionary), position requirements, imports

Revision ID: f9fc60ca7ed5
Revises: 2f93959d2a03
Create Date: 2026-11-23 14:12:00.359244

The shipped dictionary is written out here, frozen as it was when this migration was made: the
8 managerial and 1 socio-cultural competencies of PermenPANRB 38/2017 and the technical codes
the bundled courses declare. Later changes to lms/competency/dictionary.py need a new migration.
"""
from alembic import op
import sqlalchemy as sa

import lms.clock


# revision identifiers, used by Alembic.
revision = 'f9fc60ca7ed5'
down_revision = '2f93959d2a03'
branch_labels = None
depends_on = None

SHIPPED = [{'code': 'M1',
  'name': 'Integritas',
  'kind': 'managerial',
  'description': 'Konsisten berperilaku selaras dengan nilai, norma dan etika organisasi, jujur, '
                 'serta bertanggung jawab atas tindakan, keputusan dan risikonya.',
  'levels': ['Bertindak sesuai nilai, norma dan etika organisasi dalam kapasitas pribadi.',
             'Mengingatkan dan mengajak rekan kerja bertindak sesuai nilai, norma dan etika.',
             'Memastikan anggota tim yang dipimpin bertindak sesuai nilai, norma dan etika.',
             'Menciptakan situasi kerja yang membuat semua pihak bertindak sesuai etika.',
             'Menjadi teladan penerapan standar keadilan dan etika di tingkat nasional.']},
 {'code': 'M2',
  'name': 'Kerja Sama',
  'kind': 'managerial',
  'description': 'Menjalin dan membina hubungan kerja yang efektif, saling membantu dalam '
                 'menyelesaikan tugas, dan mengoptimalkan sumber daya untuk tujuan organisasi.',
  'levels': ['Berpartisipasi sebagai anggota tim yang baik.',
             'Menumbuhkan tim kerja yang partisipatif dan efektif.',
             'Membangun tim kerja yang efektif untuk meningkatkan kinerja organisasi.',
             'Membangun komitmen dan sinergi tim.',
             'Menciptakan kerja sama yang efektif lintas organisasi dan lintas sektor.']},
 {'code': 'M3',
  'name': 'Komunikasi',
  'kind': 'managerial',
  'description': 'Menyampaikan pandangan dan gagasan secara jelas dan sistematis, lisan maupun '
                 'tertulis, mendengarkan secara aktif, dan meyakinkan orang lain.',
  'levels': ['Menyampaikan informasi dengan jelas dan lengkap sehingga dipahami sama.',
             'Aktif berkomunikasi formal dan informal, mendengarkan, dan menyusun bahan tertulis.',
             'Berkomunikasi asertif dan menyampaikan informasi yang sensitif atau rumit.',
             'Mengemukakan pemikiran multidimensi untuk mendorong kesepakatan.',
             'Menggagas sistem komunikasi terbuka yang strategis untuk mencari solusi.']},
 {'code': 'M4',
  'name': 'Orientasi pada Hasil',
  'kind': 'managerial',
  'description': 'Berkomitmen tinggi menyelesaikan tugas, dapat diandalkan, dan mengidentifikasi '
                 'risiko serta peluang demi keberhasilan organisasi.',
  'levels': ['Bertanggung jawab memenuhi standar kerja.',
             'Berupaya melampaui standar kerja dan mencoba cara baru yang lebih baik.',
             'Menetapkan target kerja yang menantang bagi unit kerja.',
             'Mendorong unit kerja mencapai atau melampaui target.',
             'Menciptakan manajemen kinerja berbasis tujuan di seluruh organisasi.']},
 {'code': 'M5',
  'name': 'Pelayanan Publik',
  'kind': 'managerial',
  'description': 'Melayani kebutuhan publik secara profesional dan transparan, sesuai standar '
                 'pelayanan, netral, tidak diskriminatif dan bebas kepentingan pribadi.',
  'levels': ['Menjalankan pelayanan sesuai standar pelayanan yang ditetapkan.',
             'Mengawasi dan menjelaskan proses pelayanan publik secara transparan.',
             'Memperbaiki standar pelayanan publik di lingkup unit kerja.',
             'Mengantisipasi isu jangka panjang dalam pelayanan kepada pemangku kepentingan.',
             'Menetapkan kebijakan yang menjamin pelayanan publik yang objektif dan netral.']},
 {'code': 'M6',
  'name': 'Pengembangan Diri dan Orang Lain',
  'kind': 'managerial',
  'description': 'Meningkatkan pengetahuan dan keterampilan diri, serta menginspirasi dan '
                 'membimbing orang lain untuk mengembangkan potensinya.',
  'levels': ['Mengembangkan diri sendiri.',
             'Memberi contoh dan penjelasan cara melaksanakan pekerjaan kepada bawahan.',
             'Memberikan umpan balik dan membimbing.',
             'Menyusun program pengembangan jangka panjang.',
             'Menciptakan organisasi yang terus belajar.']},
 {'code': 'M7',
  'name': 'Mengelola Perubahan',
  'kind': 'managerial',
  'description': 'Menyesuaikan diri dengan situasi baru, mendukung dan memimpin inisiatif '
                 'perubahan, serta memastikan perubahan berhasil diterapkan.',
  'levels': ['Mengikuti perubahan dengan arahan.',
             'Proaktif beradaptasi dengan perubahan.',
             'Membantu orang lain mengikuti perubahan dan mengantisipasinya.',
             'Memimpin perubahan di unit kerja.',
             'Mengelola perubahan yang berdampak luas bagi organisasi atau nasional.']},
 {'code': 'M8',
  'name': 'Pengambilan Keputusan',
  'kind': 'managerial',
  'description': 'Membuat keputusan yang tepat waktu dan cermat berdasarkan informasi, alternatif '
                 'dan konsekuensinya, serta bertanggung jawab atas keputusan itu.',
  'levels': ['Mengumpulkan informasi untuk bertindak sesuai kewenangan.',
             'Menganalisis masalah secara mendalam.',
             'Membandingkan alternatif dan menimbang risikonya.',
             'Menyelesaikan masalah berisiko tinggi dan memitigasi dampaknya.',
             'Mengambil keputusan strategis jangka panjang yang berdampak nasional.']},
 {'code': 'SK1',
  'name': 'Perekat Bangsa',
  'kind': 'socio-cultural',
  'description': 'Mempromosikan toleransi dan keterbukaan, peka terhadap perbedaan, serta menjaga '
                 'persatuan dan kesatuan di tengah kemajemukan Indonesia.',
  'levels': ['Peka memahami dan menerima kemajemukan.',
             'Aktif mengembangkan sikap saling menghargai dan persatuan.',
             'Mempromosikan sikap toleransi dan persatuan.',
             'Mendayagunakan perbedaan secara konstruktif untuk efektivitas organisasi.',
             'Mewakili pemerintah membangun hubungan sosial di tengah kemajemukan.']},
 {'code': 'T-MPROY',
  'name': 'Manajemen Proyek',
  'kind': 'technical',
  'description': 'Merencanakan, melaksanakan, memantau dan menutup kegiatan agar tepat waktu, mutu '
                 'dan anggaran.',
  'levels': ['Menjalankan tugas proyek sesuai jadwal dan melaporkan kemajuannya.',
             'Menyusun rencana kerja, jadwal dan anggaran kegiatan sederhana dan memantaunya.',
             'Mengelola risiko, perubahan dan pemangku kepentingan proyek di unit kerja.',
             'Mengelola beberapa proyek sekaligus selaras dengan sasaran organisasi.',
             'Membangun tata kelola dan standar manajemen proyek organisasi.']},
 {'code': 'T-PENGADUAN',
  'name': 'Penanganan Pengaduan',
  'kind': 'technical',
  'description': 'Menerima, menindaklanjuti dan menuntaskan pengaduan masyarakat atas pelayanan '
                 'publik secara cepat dan adil.',
  'levels': ['Menerima dan mencatat pengaduan sesuai prosedur.',
             'Menindaklanjuti pengaduan sampai selesai dan mengabari pelapor.',
             'Menganalisis pola pengaduan dan mengusulkan perbaikan layanan.',
             'Mengoordinasikan penanganan pengaduan lintas unit kerja.',
             'Menetapkan kebijakan pengelolaan pengaduan di tingkat daerah.']},
 {'code': 'T-PROMKES',
  'name': 'Promosi Kesehatan',
  'kind': 'technical',
  'description': 'Merencanakan dan melaksanakan upaya agar masyarakat mampu memelihara dan '
                 'meningkatkan kesehatannya.',
  'levels': ['Menyampaikan pesan kesehatan yang sudah disiapkan kepada masyarakat.',
             'Menyusun materi dan melaksanakan penyuluhan kepada kelompok sasaran.',
             'Merencanakan kampanye promosi kesehatan berdasarkan data.',
             'Menggerakkan kemitraan lintas sektor dan pemberdayaan masyarakat.',
             'Merumuskan kebijakan promosi kesehatan daerah.']},
 {'code': 'T-SURVKES',
  'name': 'Surveilans Kesehatan',
  'kind': 'technical',
  'description': 'Mengumpulkan, mengolah, menganalisis dan menyajikan data penyakit dan faktor '
                 'risiko secara terus-menerus untuk tindakan kesehatan masyarakat.',
  'levels': ['Mencatat dan melaporkan kasus sesuai format dan definisi kasus.',
             'Mengolah data surveilans menjadi tabel, grafik dan peta sederhana.',
             'Menganalisis tren dan menyelidiki kejadian luar biasa.',
             'Merancang dan mengevaluasi sistem surveilans di unit kerja.',
             'Mengarahkan kebijakan surveilans dan respons kesehatan daerah.']}]


def upgrade():
    competency = op.create_table('competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('managerial', 'socio-cultural', 'technical')", name=op.f('ck_competency_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency')),
    sa.UniqueConstraint('code', name=op.f('uq_competency_code'))
    )
    op.create_table('competency_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.clock.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('applied_at', lms.clock.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('competencies', 'requirements')", name=op.f('ck_competency_import_kind')),
    sa.CheckConstraint("status IN ('pending', 'applied')", name=op.f('ck_competency_import_status')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['user_account.id'], name=op.f('fk_competency_import_applied_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_competency_import_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_import')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('competency_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_import_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('position_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jabatan', sa.String(length=200), nullable=False),
    sa.Column('competency_code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('updated_at', lms.clock.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_position_requirement_level')),
    sa.ForeignKeyConstraint(['competency_code'], ['competency.code'], name=op.f('fk_position_requirement_competency_code_competency')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_position_requirement_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_requirement')),
    sa.UniqueConstraint('jabatan', 'competency_code', name=op.f('uq_position_requirement_jabatan_competency_code'))
    )
    with op.batch_alter_table('position_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_requirement_competency_code'), ['competency_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_position_requirement_jabatan'), ['jabatan'], unique=False)

    op.bulk_insert(competency, SHIPPED)


def downgrade():
    with op.batch_alter_table('position_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_requirement_jabatan'))
        batch_op.drop_index(batch_op.f('ix_position_requirement_competency_code'))

    op.drop_table('position_requirement')
    with op.batch_alter_table('competency_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_import_created_by_id'))

    op.drop_table('competency_import')
    op.drop_table('competency')
