// Preloaded with NODE_OPTIONS=--require into a service the benchmark profiles
// (Node 20 refuses --cpu-prof in NODE_OPTIONS). The first SIGUSR2 starts
// sampling, the second writes <NEXUS_BENCH_PROFILE_DIR>/<pid>.cpuprofile (the
// format `node --cpu-prof` writes): only the measured window, not start-up.
// A third starts sampling again, so one process can be profiled per load.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.NEXUS_BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  let started = false;
  session.post('Profiler.enable', () =>
    session.post('Profiler.setSamplingInterval', { interval: 500 }),
  );
  process.on('SIGUSR2', () => {
    started = !started;
    if (started) {
      session.post('Profiler.start');
      return;
    }
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const file = path.join(dir, `${process.pid}.cpuprofile`);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
      fs.renameSync(`${file}.tmp`, file);
    });
  });
}
