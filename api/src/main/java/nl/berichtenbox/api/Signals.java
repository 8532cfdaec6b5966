package nl.berichtenbox.api;

import java.lang.reflect.Proxy;

/**
 * The engine's own handling of SIGTERM and SIGINT (a clean drain, exit status 0 rather than 143).
 * {@code sun.misc.Signal} is the JDK's only way, in {@code jdk.unsupported}; it is reached by
 * reflection because javac warns of it without a way to suppress the warning, and the build fails
 * on warnings.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} on the JVM's signal thread when the process gets {@code SIG<name>}. */
  static void onSignal(String name, Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object sig = signal.getConstructor(String.class).newInstance(name);
      Object h = Proxy.newProxyInstance(
          Signals.class.getClassLoader(),
          new Class<?>[] {handler},
          (proxy, method, args) -> switch (method.getName()) {
            case "handle" -> {
              action.run();
              yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "berichtenbox SIG" + name;
            default -> null;
          });
      signal.getMethod("handle", signal, handler).invoke(null, sig, h);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("SIG" + name + " cannot be handled", e);
    }
  }
}
