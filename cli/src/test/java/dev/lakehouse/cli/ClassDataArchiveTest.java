package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags a daemon gets from its AOT cache's state; the real JVM round trip is CliIT's. */
class ClassDataArchiveTest {
    @TempDir
    Path dir;

    ClassDataArchive archive(List<String> flags, Path jar) {
        return new ClassDataArchive(dir, Path.of("/usr/bin/java"), "journald", flags, jar, 25);
    }

    @Test
    void withoutACache_theStartIsATrainingRun_andWithOne_itRunsFromIt() throws Exception {
        Path jar = Files.writeString(dir.resolve("d.jar"), "jar");
        ClassDataArchive a = archive(List.of("-Xmx256m"), jar);
        List<String> training = a.flags();
        assertThat(training).contains("-XX:AOTMode=record").anyMatch(f -> f.startsWith("-XX:AOTConfiguration=") && f.endsWith(".aotconf"));
        assertThat(a.trained()).isFalse();   // the JVM writes the record at its exit

        Path record = Path.of(training.stream().filter(f -> f.startsWith("-XX:AOTConfiguration=")).findFirst().orElseThrow()
                .substring("-XX:AOTConfiguration=".length()));
        Files.writeString(record, "recorded");
        assertThat(a.trained()).isTrue();

        Path cache = Path.of(record.toString().replace(".aotconf", ".aot"));
        Files.writeString(cache, "cache");
        assertThat(a.trained()).isFalse();
        assertThat(a.flags()).contains("-XX:AOTCache=" + cache).noneMatch(f -> f.contains("AOTMode"));
    }

    @Test
    void newFlagsOrANewJar_trainAgain_andTheStaleCacheIsDeleted() throws Exception {
        Path jar = Files.writeString(dir.resolve("d.jar"), "jar");
        Path cache = Path.of(archive(List.of("-Xmx256m"), jar).flags().stream().filter(f -> f.startsWith("-XX:AOTConfiguration="))
                .findFirst().orElseThrow().substring("-XX:AOTConfiguration=".length()).replace(".aotconf", ".aot"));
        Files.writeString(cache, "cache");

        assertThat(archive(List.of("-Xmx512m"), jar).flags()).contains("-XX:AOTMode=record");
        assertThat(cache).doesNotExist();

        Files.writeString(cache, "cache");
        Files.writeString(jar, "a rebuilt jar");
        assertThat(archive(List.of("-Xmx256m"), jar).flags()).contains("-XX:AOTMode=record");
        assertThat(cache).doesNotExist();
    }

    @Test
    void onJdk21To24_itIsAppCdsInstead() throws Exception {
        Path jar = Files.writeString(dir.resolve("d.jar"), "jar");
        List<String> flags = new ClassDataArchive(dir, Path.of("/nonexistent/java"), "journald", List.of(), jar, 21).flags();
        assertThat(flags).noneMatch(f -> f.contains("AOT"));   // no base archive can be dumped by a missing java: nothing
    }

    @Test
    void finishTraining_withoutARecord_doesNothing() throws Exception {
        Path jar = Files.writeString(dir.resolve("d.jar"), "jar");
        ClassDataArchive a = archive(List.of(), jar);
        a.flags();
        assertThat(a.finishTraining()).isEmpty();
    }
}
