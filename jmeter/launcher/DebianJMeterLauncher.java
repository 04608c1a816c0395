import com.thoughtworks.xstream.XStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Paths;

/**
 * Starts Debian's packaged JMeter 2.13 with its XStream instances permitting JMeter's own classes.
 *
 * <p>Debian builds JMeter 2.13 against its current XStream (1.4.18+), whose security framework refuses
 * every type it was not told about: the stock `jmeter -n -t plan.jmx` fails on every plan with
 * ForbiddenClassException: org.apache.jmeter.save.ScriptWrapper. JMeter 2.13 predates that framework and
 * never declares its types. This launcher lets JMeter's and JOrphan's classes through on the two XStream
 * instances of SaveService (plans and XML results) and then hands over to JMeter's own NewDriver, which
 * reads the command line as usual. Other types stay forbidden.
 *
 * <p>Run with ApacheJMeter.jar (whose manifest brings Debian's XStream) on the class path and
 * -Djmeter.home=/usr/share/jmeter; JMeter 5.x needs none of this.
 */
public final class DebianJMeterLauncher {
  private static final String[] JMETER_TYPES = {"org.apache.jmeter.**", "org.apache.jorphan.**"};

  private DebianJMeterLauncher() {}

  public static void main(String[] args) throws Exception {
    String home = System.getProperty("jmeter.home");
    if (home == null) {
      throw new IllegalStateException("set -Djmeter.home (Debian: /usr/share/jmeter)");
    }
    // JMeter's classes live in lib/ext, visible only through NewDriver's own class loader.
    Class<?> newDriver = Class.forName("org.apache.jmeter.NewDriver");
    Field loaderField = newDriver.getDeclaredField("loader");
    loaderField.setAccessible(true);
    ClassLoader jmeterLoader = (ClassLoader) loaderField.get(null);
    Thread.currentThread().setContextClassLoader(jmeterLoader);

    // SaveService builds its XStream instances in its static initializer, which reads the JMeter
    // properties: load them first (JMeter loads them again, with the -J overrides, when it starts).
    Class<?> utils = jmeterLoader.loadClass("org.apache.jmeter.util.JMeterUtils");
    utils.getMethod("setJMeterHome", String.class).invoke(null, home);
    String properties = Paths.get(home, "bin", "jmeter.properties").toString();
    utils.getMethod("loadJMeterProperties", String.class).invoke(null, properties);

    Class<?> saveService = Class.forName("org.apache.jmeter.save.SaveService", true, jmeterLoader);
    int permitted = 0;
    for (Field field : saveService.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && XStream.class.isAssignableFrom(field.getType())) {
        field.setAccessible(true);
        ((XStream) field.get(null)).allowTypesByWildcard(JMETER_TYPES);
        permitted++;
      }
    }
    if (permitted != 2) {
      throw new IllegalStateException("expected SaveService's two XStream instances, found " + permitted);
    }

    Method main = newDriver.getMethod("main", String[].class);
    main.invoke(null, (Object) args);
  }
}
