package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every {@code [database] connection} form oslo.db documents, and the ones refused. */
class DatabaseUrlTest {
    @Test
    void mysqlWithPymysqlAsPuppetWritesIt() {
        DatabaseUrl url = DatabaseUrl.parse("mysql+pymysql://trove:secret@192.0.2.10:3307/trove?charset=utf8");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:mariadb://192.0.2.10:3307/trove");
        assertThat(url.user()).isEqualTo("trove");
        assertThat(url.password()).isEqualTo("secret");
        assertThat(url.driverProperties()).isEmpty();
    }

    @Test
    void mysqlMariadbAndAnyPythonDriverMapToMariadbOnPort3306() {
        for (String scheme : new String[] {"mysql", "mariadb", "mysql+mysqldb", "mariadb+mariadbconnector",
                "MySQL+PyMySQL"}) {
            DatabaseUrl url = DatabaseUrl.parse(scheme + "://trove:secret@db.example.org/trove");
            assertThat(url.jdbcUrl()).as(scheme).isEqualTo("jdbc:mariadb://db.example.org:3306/trove");
        }
    }

    @Test
    void postgresqlAndPsycopg2MapToPgjdbcOnPort5432() {
        assertThat(DatabaseUrl.parse("postgresql://trove:secret@127.0.0.1/trove").jdbcUrl())
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/trove");
        DatabaseUrl url = DatabaseUrl.parse("postgresql+psycopg2://trove:secret@pg.example.org:6432/trove_db");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://pg.example.org:6432/trove_db");
        assertThat(url.user()).isEqualTo("trove");
        assertThat(url.password()).isEqualTo("secret");
    }

    @Test
    void userAndPasswordArePercentDecodedAndPlusStaysPlus() {
        DatabaseUrl url = DatabaseUrl.parse("mysql+pymysql://tr%40ve:p%40ss%3Aw%2Frd%25+x%3F%23%26%3D@127.0.0.1/trove");
        assertThat(url.user()).isEqualTo("tr@ve");
        assertThat(url.password()).isEqualTo("p@ss:w/rd%+x?#&=");
        // SQLAlchemy's grammar: a password may hold ':' and '/' unescaped; it ends at the first '@'
        assertThat(DatabaseUrl.parse("postgresql://u:a:b/c@h/d").password()).isEqualTo("a:b/c");
    }

    @Test
    void credentialsMayBeLeftOut() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://127.0.0.1/trove");
        assertThat(url.user()).isNull();
        assertThat(url.password()).isNull();
        DatabaseUrl noPassword = DatabaseUrl.parse("mysql://trove@127.0.0.1/trove");
        assertThat(noPassword.user()).isEqualTo("trove");
        assertThat(noPassword.password()).isNull();
        assertThat(DatabaseUrl.parse("mysql://trove:@127.0.0.1/trove").password()).isEmpty();
    }

    @Test
    void ipv6HostsAreBracketed() {
        assertThat(DatabaseUrl.parse("mysql+pymysql://trove:secret@[::1]/trove").jdbcUrl())
                .isEqualTo("jdbc:mariadb://[::1]:3306/trove");
        assertThat(DatabaseUrl.parse("postgresql://trove:secret@[2001:db8::5]:5433/trove").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[2001:db8::5]:5433/trove");
    }

    @Test
    void mariadbWithoutAHostIsLocalhostOrItsSocket() {
        assertThat(DatabaseUrl.parse("mysql+pymysql://trove:secret@/trove").jdbcUrl())
                .isEqualTo("jdbc:mariadb://localhost:3306/trove");
        DatabaseUrl socket = DatabaseUrl.parse("mysql+pymysql://trove:secret@/trove?unix_socket=/run/mysqld/mysqld.sock");
        assertThat(socket.driverProperties()).isEqualTo(Map.of("localSocket", "/run/mysqld/mysqld.sock"));
    }

    @Test
    void mariadbOptionsMapToTheDriversSettings() {
        DatabaseUrl url = DatabaseUrl.parse("mysql+pymysql://trove:secret@db/trove?charset=utf8mb4"
                + "&ssl_ca=%2Fetc%2Fssl%2Fca.pem&connect_timeout=7&read_timeout=30&write_timeout=45");
        assertThat(url.driverProperties()).isEqualTo(Map.of("sslMode", "verify-full", "serverSslCert", "/etc/ssl/ca.pem",
                "connectTimeout", "7000", "socketTimeout", "45000"));
        assertThat(DatabaseUrl.parse("mysql://t:s@db/trove?ssl_ca=/ca.pem&ssl_check_hostname=false").driverProperties())
                .isEqualTo(Map.of("sslMode", "verify-ca", "serverSslCert", "/ca.pem"));
        assertThat(DatabaseUrl.parse("mysql://t:s@db/trove?charset=UTF8").driverProperties()).isEmpty();
    }

    @Test
    void postgresqlOptionsKeepLibpqsNames() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql+psycopg2://trove:secret@db/trove?sslmode=verify-full"
                + "&sslrootcert=/etc/ssl/ca.pem&connect_timeout=4&application_name=jtrove-api&client_encoding=utf8");
        assertThat(url.driverProperties()).isEqualTo(Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ssl/ca.pem",
                "connectTimeout", "4", "ApplicationName", "jtrove-api"));
    }

    @Test
    void sqliteIsRefusedWithWhatToUseInstead() {
        for (String url : new String[] {"sqlite://", "sqlite:///var/lib/trove/trove.sqlite", "sqlite:////tmp/x.db"}) {
            assertThatThrownBy(() -> DatabaseUrl.parse(url)).as(url).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SQLite is not supported")
                    .hasMessageContaining("leave [database] connection unset")
                    .hasMessageContaining("mysql+pymysql://");
        }
    }

    @Test
    void otherDialectsAndBadUrlsAreRefusedClearlyWithoutThePassword() {
        refused("oracle+cx_oracle://trove:hunter2@db/trove", "runs on MariaDB");
        refused("postgres://trove:hunter2@db/trove", "the dialect is named postgresql");
        refused("trove:hunter2@db/trove", "dialect://user:password@host:port/database");
        refused("mysql+pymysql://trove:hunter2@db", "name the database");
        refused("mysql+pymysql://trove:hunter2@db:99999/trove", "port must be a number");
        refused("mysql+pymysql://trove:hunter2@db:x/trove", "port must be a number");
        refused("mysql+pymysql://trove:hunter2@db/tro;ve", "database name may hold");
        refused("postgresql://trove:hunter2@/trove", "name the PostgreSQL server's host");
        refused("mysql+pymysql://trove:hunter2%zz@db/trove", "must start an escape");
        refused(null, "dialect://user:password@host:port/database");
    }

    @Test
    void unknownOrUnusableOptionsAreRefused() {
        refused("mysql+pymysql://trove:hunter2@db/trove?charset=latin1", "charset must be utf8");
        refused("mysql+pymysql://trove:hunter2@db/trove?plugin=dbcounter", "unknown option plugin");
        refused("mysql+pymysql://trove:hunter2@db/trove?connect_timeout=soon", "connect_timeout is a number of seconds");
        refused("mysql+pymysql://trove:hunter2@db/trove?connect_timeout=0", "connect_timeout is a number of seconds");
        refused("mysql+pymysql://trove:hunter2@db/trove?ssl_ca=/ca&ssl_check_hostname=maybe", "true or false");
        refused("mysql+pymysql://trove:hunter2@db/trove?ssl_cert=/c.pem&ssl_key=/k.pem", "client certificates");
        refused("postgresql://trove:hunter2@db/trove?sslkey=/k.pem", "client certificates");
        refused("postgresql://trove:hunter2@db/trove?sslmode=sometimes", "sslmode must be one of");
        refused("postgresql://trove:hunter2@db/trove?client_encoding=latin1", "client_encoding must be utf8");
        refused("postgresql://trove:hunter2@db/trove?charset=utf8", "unknown option charset");
        refused("postgresql://trove:hunter2@db/trove?sslmode=require&sslmode=disable", "given twice");
    }

    @Test
    void redactHidesPasswordsInOsloAndJdbcUrls() {
        assertThat(DatabaseUrl.redact("mysql+pymysql://trove:hunter2@db/trove?charset=utf8"))
                .isEqualTo("mysql+pymysql://trove:***@db/trove?charset=utf8");
        assertThat(DatabaseUrl.redact("jdbc:postgresql://db/trove?user=trove&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/trove?user=trove&password=***&ssl=true");
        assertThat(DatabaseUrl.redact("postgresql://db/trove")).isEqualTo("postgresql://db/trove");
        assertThat(DatabaseUrl.parse("mysql://trove:hunter2@db/trove").toString()).doesNotContain("hunter2");
    }

    private static void refused(String url, String message) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url)).as(url).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("[database] connection ").hasMessageContaining(message)
                .hasMessageNotContaining("hunter2");
    }
}
