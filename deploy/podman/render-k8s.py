#!/usr/bin/python3
"""Renders deploy/k8s for `podman kube play` on one machine, changing only what podman 4.3 cannot take as it is.

  render-k8s.py K8S_DIR OUT_DIR REGISTRY API_PORT DASHBOARD_PORT

Writes OUT_DIR/orchestrator.yaml (ConfigMaps, the orchestrator Deployment, its Service) and OUT_DIR/apps.yaml (the
dashboard and worker Deployments, the dashboard Service), and prints what it left out or changed. The resources come
from kustomization.yaml, the image tags from its `images:` (the worker as its CPU variant). Changes, each because
podman 4.3.1 lacks the feature:
- Secrets are not written: kube.sh creates them as podman secrets (podman's kube play stores a Secret document in
  a form its own secretKeyRef reader then cannot parse).
- fieldRef status.podIP becomes metadata.name: podman cannot give a pod its IP before it exists, and its DNS
  resolves the pod's name to that IP, which the silo resolves at start.
- A Service becomes a Pod of that name running nginx, proxying the Service port to the selected Deployment's pods
  (what kube-proxy does); podman has no Service objects, and its DNS resolves pod names.
- containerPort entries are dropped (podman 4.3 publishes each on the host); probes name the port numbers.
- Namespace, Ingress, CronJob and PodDisruptionBudget are left out (no API server, controllers or scheduler).
"""
import sys, yaml

k8s, out, registry, api_port, dashboard_port = sys.argv[1:6]
kust = yaml.safe_load(open(f"{k8s}/kustomization.yaml"))
tags = {i["name"]: i.get("newTag") for i in kust.get("images", [])}
docs = [d for r in kust["resources"] for d in yaml.safe_load_all(open(f"{k8s}/{r}")) if d]
host_ports = {"dggrn-orchestrator": api_port, "dggrn-dashboard": dashboard_port}
left_out = {"Namespace": "no namespaces in podman", "Ingress": "no ingress controller",
            "CronJob": "no controller runs schedules", "PodDisruptionBudget": "no eviction API"}


def image(ref):
    name, _, tag = ref.partition(":")
    tag = tags.get(name) or tag
    if name == "dggrn/worker": tag = tag.replace("-cuda", "-cpu")   # no GPU here: the CPU image
    return f"{registry}/{name.split('/', 1)[1]}:{tag}"


def deployment(d):
    for c in d["spec"]["template"]["spec"]["containers"]:
        c["image"] = image(c["image"])
        # podman 4.3 publishes every containerPort on the host (0.0.0.0, same number): pods reach each other on the
        # network without that, so the ports go, and probes name the numbers instead.
        named = {p["name"]: p["containerPort"] for p in c.pop("ports", []) if "name" in p}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = c.get(probe, {}).get("httpGet")
            if get and isinstance(get.get("port"), str): get["port"] = named[get["port"]]
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("fieldRef")
            if ref and ref.get("fieldPath") == "status.podIP":
                ref["fieldPath"] = "metadata.name"
    return d


def service(s, deployments):
    name, sel = s["metadata"]["name"], s["spec"]["selector"]
    target = next(d for d in deployments
                  if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items()))
    ports = target_ports[target["metadata"]["name"]]
    if len(s["spec"]["ports"]) != 1: sys.exit(f"render-k8s: Service {name}: one port expected")
    p = s["spec"]["ports"][0]
    tp = p.get("targetPort", p["port"])
    tp = ports[tp] if isinstance(tp, str) else tp
    pods = [f"{target['metadata']['name']}-pod-{i}" for i in range(target["spec"].get("replicas", 1))]
    # The image's resolving-proxy keeps the upstream equal to the pods' current addresses (nginx 1.22 has no `resolve`).
    upstream = " ".join(f"{pod}:{tp}" for pod in pods)
    site = (f"# Service {name} (rendered by render-k8s.py)\nmap $http_upgrade $http_connection {{ default upgrade; '' ''; }}\n"
            f"upstream backends {{\n    include /run/nginx-upstream.conf;\n}}\n"
            f"server {{\n    listen {p['port']};\n    location / {{\n        proxy_pass http://backends;\n"
            "        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n"
            "        proxy_set_header Connection $http_connection;\n        proxy_set_header Host $host;\n"
            "        proxy_next_upstream error timeout http_502 http_503;\n        proxy_read_timeout 300s;\n"
            "        proxy_buffering off;\n    }\n}\n")
    conf = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-proxy"}, "data": {"default.conf": site}}
    first = s["spec"]["ports"][0]["port"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"dggrn/stands-in-for": "Service"}},
           "spec": {"restartPolicy": "Always", "containers": [{
               "name": "proxy", "image": f"{registry}/nginx:1.22-debian",
               "env": [{"name": "DGGRN_PROXY_UPSTREAM", "value": upstream}],
               "ports": [{"containerPort": first, "hostPort": int(host_ports[name]), "hostIP": "127.0.0.1"}] if name in host_ports else [],
               "volumeMounts": [{"name": "conf", "mountPath": "/etc/nginx/conf.d"}]}],
               "volumes": [{"name": "conf", "configMap": {"name": f"{name}-proxy"}}]}}
    return [conf, pod]


target_ports = {d["metadata"]["name"]: {p["name"]: p["containerPort"] for c in d["spec"]["template"]["spec"]["containers"]
                                         for p in c.get("ports", []) if "name" in p} for d in docs if d["kind"] == "Deployment"}
deployments = [deployment(d) for d in docs if d["kind"] == "Deployment"]
config = [d for d in docs if d["kind"] == "ConfigMap"]
for c in config:
    if "s3-endpoint" in c.get("data", {}): c["data"]["s3-endpoint"] = "minio:9000"   # the S3 stand-in pod
services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
for d in docs:
    if d["kind"] in left_out: print(f"render-k8s: not run here: {d['kind']} {d['metadata']['name']} ({left_out[d['kind']]})")
    elif d["kind"] not in ("Deployment", "ConfigMap", "Service", "Secret"): print(f"render-k8s: unknown kind {d['kind']}", file=sys.stderr); sys.exit(1)
for d in deployments:
    if d["spec"]["template"]["spec"].get("nodeSelector"):
        print(f"render-k8s: {d['metadata']['name']}: nodeSelector and nvidia.com/gpu resources are ignored by podman (no scheduler, no device plugin)")
for d in docs:
    d.get("metadata", {}).pop("namespace", None)

orch = [d for d in deployments if d["metadata"]["name"] == "dggrn-orchestrator"]
apps = [d for d in deployments if d not in orch]
with open(f"{out}/orchestrator.yaml", "w") as f:
    yaml.safe_dump_all(config + orch + service(services["dggrn-orchestrator"], deployments), f, sort_keys=False)
with open(f"{out}/apps.yaml", "w") as f:
    rest = [x for n, s in services.items() if n != "dggrn-orchestrator" for x in service(s, deployments)]
    yaml.safe_dump_all(config + apps + rest, f, sort_keys=False)   # a ConfigMap lives only in the file that plays it
print(f"render-k8s: wrote {out}/orchestrator.yaml and {out}/apps.yaml")
