//! The gate's decisions on the commands the issue names, and on the tricky ones.

use super::*;

fn verdict(line: &str) -> Verdict {
    Gate::new(&[], &[]).judge(line).verdict
}

fn read_only(line: &str) -> bool {
    verdict(line) == Verdict::ReadOnly
}

#[test]
fn the_catalogue_loads() {
    assert!(Gate::new(&[], &[]).catalogue_len() > 30);
}

#[test]
fn read_only_probes_run_at_once() {
    for line in [
        "df -h /",
        "free -m",
        "uptime",
        "ps aux",
        "ss -tlnp",
        "ip addr show",
        "ip route",
        "dig example.com",
        "kubectl get pods -n web",
        "kubectl describe pod web-7d9",
        "kubectl logs web-7d9 --tail 50",
        "kubectl rollout status deploy/web",
        "kubectl config current-context",
        "helm list -A",
        "terraform plan -no-color",
        "terraform state list",
        "docker ps -a",
        "docker stats --no-stream",
        "systemctl status nginx",
        "journalctl -u nginx --since today",
        "curl -sI https://example.com",
        "openssl x509 -in cert.pem -noout -dates",
        "git log --oneline -5",
        "aws ec2 describe-instances --region eu-west-1",
        "gcloud compute instances list",
        "cat /etc/os-release",
        "ps aux | grep nginx | head -5",
        "journalctl -u nginx | sort | uniq -c",
    ] {
        assert!(read_only(line), "{line}: {:?}", verdict(line));
    }
}

#[test]
fn writes_shell_syntax_secrets_and_unknown_programs_need_approval() {
    for line in [
        "rm -rf build",
        "cat x; touch y",
        "echo $(touch y)",
        "ls > y",
        "kubectl delete pod web",
        "kubectl get secret db -o yaml",
        "kubectl -n web get pods",
        "helm get values web",
        "terraform apply",
        "terraform plan -out=tf.plan",
        "docker stats",
        "docker rm web",
        "systemctl restart nginx",
        "journalctl --vacuum-time=1d",
        "curl -X POST https://example.com",
        "curl -so page.html https://example.com",
        "curl --data-raw x https://example.com",
        "git diff --output=patch",
        "git push",
        "sort -o out.txt in.txt",
        "uniq in.txt out.txt",
        "aws secretsmanager get-secret-value --secret-id db",
        "aws s3 rm s3://bucket --recursive",
        "gcloud compute instances delete list",
        "ps aux | xargs kill",
        "ps aux | tee out.txt",
        "sh -c 'ls'",
        "eval ls",
        "/usr/bin/df",
        "ip addr add 10.0.0.1/24 dev eth0",
        "ss -K dst 10.0.0.1",
        "FOO=1 df",
        "cat /etc/shadow",
        "cat ~/.ssh/id_rsa",
        "grep KEY app/.env",
        "tail terraform.tfstate",
    ] {
        assert!(
            matches!(verdict(line), Verdict::NeedsApproval(_)),
            "{line}: {:?}",
            verdict(line)
        );
    }
}

#[test]
fn deny_wins_over_allow_and_allow_never_covers_shell_syntax() {
    let gate = Gate::new(
        &["make *".to_owned(), "systemctl restart nginx".to_owned()],
        &["make deploy*".to_owned()],
    );
    assert_eq!(
        gate.judge("systemctl restart nginx").verdict,
        Verdict::Allowed("systemctl restart nginx".into())
    );
    assert!(matches!(
        gate.judge("make deploy-prod").verdict,
        Verdict::Denied(_)
    ));
    assert!(matches!(
        gate.judge("make test; rm -rf /").verdict,
        Verdict::NeedsApproval(_)
    ));
    let deny_rm = Gate::new(&[], &["rm *".to_owned()]);
    assert!(matches!(
        deny_rm.judge("ls | rm x").verdict,
        Verdict::Denied(_)
    ));
}
