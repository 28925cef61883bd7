package io.switchboard.routing;

/** Lets tests in other packages read repository files through {@link Fixtures}. */
public final class FixturesAccess {
  private FixturesAccess() {}

  public static String read(String relative) {
    return Fixtures.read(Fixtures.repoFile(relative));
  }

  public static String path(String relative) {
    return Fixtures.repoFile(relative).toString();
  }
}
