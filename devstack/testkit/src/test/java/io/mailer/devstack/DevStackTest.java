package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.platform.settings.DatabaseUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackTest {

    @Test
    void shouldStartEverythingWireTheEventQueueAndDescribeItInEnv(@TempDir Path dataDir) throws Exception {
        Map<String, String> firstEnv;
        // Given a stack on a persistent folder
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().dataDir(dataDir))) {
            firstEnv = stack.env();

            // Then env names every component the services need
            assertThat(firstEnv).containsOnlyKeys("KAFKA_BOOTSTRAP_SERVERS", "MAILER_TOPIC_PREFIX", "DATABASE_URL",
                    "AWS_REGION", "SES_ENDPOINT", "SQS_ENDPOINT", "SQS_QUEUE_URL", "SNS_VERIFY_SIGNATURES",
                    "MAIL_FROM", "MAILER_BOOTSTRAP_ADMIN_KEY", "UNSUBSCRIBE_BASE_URL", "UNSUBSCRIBE_SECRET");
            assertThat(firstEnv).containsEntry("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers())
                    .containsEntry("MAILER_TOPIC_PREFIX", "mailer.")
                    .containsEntry("DATABASE_URL", stack.postgres().databaseUrl())
                    .containsEntry("AWS_REGION", "us-east-1")
                    .containsEntry("SES_ENDPOINT", stack.ses().endpoint())
                    .containsEntry("SQS_ENDPOINT", stack.sqs().endpoint())
                    .containsEntry("SQS_QUEUE_URL", stack.sqs().endpoint() + "/000000000000/mailer-ses-events")
                    .containsEntry("SNS_VERIFY_SIGNATURES", "false")
                    .containsEntry("MAIL_FROM", "Mailer Dev <dev@mailer.local>")
                    .containsEntry("MAILER_BOOTSTRAP_ADMIN_KEY", "mk_dev_bootstrap_admin_key_change_me_0000000000")
                    .containsEntry("UNSUBSCRIBE_BASE_URL", "http://localhost:3000");
            assertThat(stack.queueUrl()).isEqualTo(firstEnv.get("SQS_QUEUE_URL"));
            assertThat(stack.ses().config().queueUrl()).isEqualTo(stack.queueUrl());
            assertThat(System.getProperty("aws.accessKeyId")).isNotBlank();
            assertThat(System.getProperty("aws.secretAccessKey")).isNotBlank();
            assertThat(System.getProperty("aws.region")).isNotBlank();

            // And the registry topics exist with 6 partitions
            try (Admin admin = stack.kafka().admin()) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(names).containsAll(stack.topics().all().stream().map(t -> t.name()).toList());
                assertThat(admin.describeTopics(Set.of("mailer.sends")).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get("mailer.sends").partitions()).hasSize(6);
            }
            // And DATABASE_URL reaches PostgreSQL
            DatabaseUrl url = DatabaseUrl.parse(firstEnv.get("DATABASE_URL"));
            try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.username(), url.password());
                 Statement s = c.createStatement()) {
                s.execute("create table marker (v text)");
                s.execute("insert into marker values ('first run')");
            }
        }

        // When everything is closed, the ports are free
        assertThat(listening(firstEnv.get("KAFKA_BOOTSTRAP_SERVERS"))).isFalse();
        assertThat(listening(firstEnv.get("SES_ENDPOINT").replace("http://", ""))).isFalse();

        // And a second run on the same folder finds the data of the first
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().dataDir(dataDir).ses(false).sqs(false))) {
            try (Connection c = stack.postgres().connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select v from marker")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("first run");
            }
            assertThat(stack.env()).doesNotContainKeys("SES_ENDPOINT", "SQS_ENDPOINT", "SQS_QUEUE_URL");
            assertThatThrownBy(stack::ses).isInstanceOf(IllegalStateException.class);
        }
    }

    private static boolean listening(String hostPort) {
        String[] parts = hostPort.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
