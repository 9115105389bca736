package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

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
    void aLibraryRebuilt_trainsAgain_evenWhenTheDaemonsJarIsTheSame() throws Exception {
        // what the build makes: the daemon's jar naming its libraries on its manifest's Class-Path
        Path libs = Files.createDirectories(dir.resolve("libs"));
        Path common = Files.writeString(libs.resolve("common.jar"), "common, first build");
        Files.writeString(libs.resolve("jackson.jar"), "jackson");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "libs/common.jar libs/jackson.jar");
        Path jar = dir.resolve("d.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("D.class"));
            out.write(new byte[] {1, 2, 3});
        }
        assertThat(ClassDataArchive.classPath(jar)).contains("libs/common.jar", "libs/jackson.jar");

        Path cache = Path.of(archive(List.of("-Xmx256m"), jar).flags().stream().filter(f -> f.startsWith("-XX:AOTConfiguration="))
                .findFirst().orElseThrow().substring("-XX:AOTConfiguration=".length()).replace(".aotconf", ".aot"));
        Files.writeString(cache, "cache");
        assertThat(archive(List.of("-Xmx256m"), jar).flags()).contains("-XX:AOTCache=" + cache);   // nothing changed

        long jarTime = Files.getLastModifiedTime(jar).toMillis();
        Files.writeString(common, "common, rebuilt");   // only the library: the daemon's jar keeps its bytes and time
        Files.setLastModifiedTime(common, java.nio.file.attribute.FileTime.fromMillis(jarTime + 60_000));
        assertThat(Files.getLastModifiedTime(jar).toMillis()).isEqualTo(jarTime);
        assertThat(archive(List.of("-Xmx256m"), jar).flags()).contains("-XX:AOTMode=record");
        assertThat(cache).doesNotExist();
    }

    @Test
    void notAJar_hasNoClassPath() throws Exception {
        assertThat(ClassDataArchive.classPath(Files.writeString(dir.resolve("x.jar"), "not a zip"))).isEmpty();
        assertThat(ClassDataArchive.classPath(dir.resolve("absent.jar"))).isEmpty();
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
