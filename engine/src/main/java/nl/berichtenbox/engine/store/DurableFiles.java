package nl.berichtenbox.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that must survive a power cut once we say they are there: a backup is written under a
 * temporary name, closed to other users, every file and directory in it forced to disk, then
 * renamed in one step and the rename forced too. Without the fsyncs a crash shortly after could leave a backup under its
 * final name whose files are empty.
 */
final class DurableFiles {
  private DurableFiles() {}

  /** Forces every file and directory under {@code root} to disk, directories after their contents. */
  static void fsyncTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          fsync(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        fsync(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Forces one file or directory (its entries: a rename or a new file in it) to disk. */
  static void fsync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Moves the finished {@code temporary} to {@code target} after forcing it to disk, in one step,
   * and forces the directory that holds both, so the new name survives a crash as well.
   */
  static void persist(Path temporary, Path target) throws IOException {
    // a backup holds citizens' messages and BSNs: only the engine's own user may enter it (and
    // PostgreSQL wants no more for a data directory restored this way)
    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx------"));
    fsyncTree(temporary);
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    fsync(target.toAbsolutePath().getParent());
  }
}
